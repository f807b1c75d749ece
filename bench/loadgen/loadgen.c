/*
 * loadgen: an independent, single-threaded MQTT load generator for chat-engine (and anything that
 * speaks its room protocol, such as the seed), built only on libmosquitto.
 *
 * R rooms x M members, each member its own MQTT session; S members per room send. All sessions are
 * multiplexed by ONE thread with epoll over the libmosquitto sockets (mosquitto_socket,
 * mosquitto_loop_read / loop_write / loop_misc, mosquitto_want_write), so the tool costs a fraction
 * of a core instead of one thread per session. Shapes, topics and payloads mirror `chat-bench load`:
 *
 *   engine        senders publish {"token": JWT, "content": ...} to chat/message/{room}; members
 *                 subscribe chat/user/{id}/#; rooms are created and joined through the wire first
 *                 (chat/rooms/create, chat/rooms/join/{room}, replies on chat/user/{id}/responses);
 *                 an `events_topic` in a create/join reply (engine --fanout room-topic) is subscribed.
 *                 The seed (RouteMQ + Redis) speaks the same routes: drive it with this mode.
 *   direct-topic  one publish per message to bench/room/{tag}-{r}, which the room's members subscribe
 *                 to (the broker's own fan-out, no backend).
 *   direct        the sender publishes the event to each member's inbox (no backend).
 *
 * Content is `b|s=<sender>|n=<number>|t=<micros>` (BenchContent in chat-bench), so every receiver
 * counts unique / duplicate / reordered deliveries per sender and the latency. With --rate 0 each
 * sender keeps --inflight messages unacknowledged; a message is acknowledged when it comes back to
 * its sender as a member. Warm-up, measured window, then at most 5 s of drain; a hard alarm ends
 * any run. Connects to 127.0.0.1 only.
 *
 * Build: gcc -O2 -o loadgen loadgen.c -lmosquitto
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <mosquitto.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- SHA-256 / HMAC / JWT (HS256) */

typedef struct { uint32_t h[8]; uint64_t len; uint8_t buf[64]; size_t n; } sha256_t;
static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
static void sha256_block(sha256_t *c, const uint8_t *p) {
    uint32_t w[64], a, b, d, e, f, g, h, cc, t1, t2;
    for (int i = 0; i < 16; i++) w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3]; e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1; d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d; c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}
static void sha256_init(sha256_t *c) {
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, iv, sizeof iv); c->len = 0; c->n = 0;
}
static void sha256_update(sha256_t *c, const void *data, size_t len) {
    const uint8_t *p = data;
    c->len += len;
    while (len--) { c->buf[c->n++] = *p++; if (c->n == 64) { sha256_block(c, c->buf); c->n = 0; } }
}
static void sha256_final(sha256_t *c, uint8_t out[32]) {
    uint64_t bits = c->len * 8;
    uint8_t pad = 0x80, zero = 0, lenb[8];
    sha256_update(c, &pad, 1);
    while (c->n != 56) sha256_update(c, &zero, 1);
    for (int i = 0; i < 8; i++) lenb[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(c, lenb, 8);
    for (int i = 0; i < 8; i++) { out[4 * i] = c->h[i] >> 24; out[4 * i + 1] = c->h[i] >> 16; out[4 * i + 2] = c->h[i] >> 8; out[4 * i + 3] = c->h[i]; }
}
static void hmac_sha256(const char *key, const void *msg, size_t len, uint8_t out[32]) {
    uint8_t k[64] = {0}, ipad[64], opad[64], inner[32];
    size_t kl = strlen(key);
    sha256_t c;
    if (kl > 64) { sha256_init(&c); sha256_update(&c, key, kl); sha256_final(&c, k); } else memcpy(k, key, kl);
    for (int i = 0; i < 64; i++) { ipad[i] = k[i] ^ 0x36; opad[i] = k[i] ^ 0x5c; }
    sha256_init(&c); sha256_update(&c, ipad, 64); sha256_update(&c, msg, len); sha256_final(&c, inner);
    sha256_init(&c); sha256_update(&c, opad, 64); sha256_update(&c, inner, 32); sha256_final(&c, out);
}
static size_t b64url(const uint8_t *in, size_t n, char *out) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;
    for (; i + 2 < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = t[v >> 18]; out[o++] = t[(v >> 12) & 63]; out[o++] = t[(v >> 6) & 63]; out[o++] = t[v & 63];
    }
    if (n - i == 1) { uint32_t v = (uint32_t)in[i] << 16; out[o++] = t[v >> 18]; out[o++] = t[(v >> 12) & 63]; }
    else if (n - i == 2) { uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8; out[o++] = t[v >> 18]; out[o++] = t[(v >> 12) & 63]; out[o++] = t[(v >> 6) & 63]; }
    out[o] = 0;
    return o;
}
/* HS256 JWT {"sub","iat","exp","name"} (name omitted when NULL), as `chat-engine token` signs. */
static void jwt_sign(const char *secret, const char *sub, const char *name, long iat, long exp, char *out, size_t cap) {
    char claims[512], body[1024];
    uint8_t mac[32];
    if (name) snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld,\"name\":\"%s\"}", sub, iat, exp, name);
    else snprintf(claims, sizeof claims, "{\"sub\":\"%s\",\"iat\":%ld,\"exp\":%ld}", sub, iat, exp);
    size_t n = b64url((const uint8_t *)"{\"alg\":\"HS256\",\"typ\":\"JWT\"}", 27, body);
    body[n++] = '.';
    n += b64url((const uint8_t *)claims, strlen(claims), body + n);
    hmac_sha256(secret, body, n, mac);
    char sig[64];
    b64url(mac, 32, sig);
    snprintf(out, cap, "%s.%s", body, sig);
}

/* ---------------------------------------------------------------- state */

enum { MODE_ENGINE, MODE_DIRECT_TOPIC, MODE_DIRECT };
static const char *mode_names[] = {"engine", "direct-topic", "direct"};

typedef struct { uint8_t *seen; long cap; long highest; } track_t;

typedef struct sess {
    struct mosquitto *m;
    int fd, room, member, sender; /* sender: global index or -1 */
    int connected, subacks, subs_wanted, want_out;
    char user[64], token[1100];
    track_t *tr;                  /* one per sender of the room */
    /* setup request/reply */
    char reqid[80], reply_room[128], reply_topic[192], reply_status[48];
    int replied;
    /* sender */
    int inflight;
    uint64_t last_release, next_due;
    long number, sent, sent_in_window;
} sess_t;

static struct {
    int mode, rooms, members, senders, qos, inflight, port;
    double rate, duration, warmup;
    const char *secret, *label;
    int verbose;
} opt = {MODE_ENGINE, 10, 20, 2, 0, 8, 1883, 0, 10, 2, "chat-engine-development-secret-do-not-use-in-production", NULL, 0};

static sess_t *S;
static int N, ep;
static char tag[8];
static uint64_t win_start, win_end;
static long g_callbacks, g_unique, g_dup, g_reord, g_measured, g_foreign;
#define HBUCKETS (2048 + 40 * 1024)
static uint64_t hist[HBUCKETS], hist_n, hist_max;

static uint64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
static void die(const char *fmt, ...) {
    va_list ap; va_start(ap, fmt);
    fprintf(stderr, "loadgen: "); vfprintf(stderr, fmt, ap); fprintf(stderr, "\n");
    va_end(ap);
    exit(2);
}
static void on_alarm(int sig) { (void)sig; static const char m[] = "loadgen: hard time limit reached\n"; write(2, m, sizeof m - 1); _exit(3); }

/* log-linear latency histogram (µs), ~0.1 % resolution */
static int hbucket(uint64_t v) {
    if (v < 2048) return (int)v;
    int e = 63 - __builtin_clzll(v);
    if (e > 50) e = 50;
    int i = 2048 + (e - 11) * 1024 + (int)((v >> (e - 10)) & 1023);
    return i < HBUCKETS ? i : HBUCKETS - 1;
}
static uint64_t hvalue(int i) {
    if (i < 2048) return (uint64_t)i;
    int e = (i - 2048) / 1024 + 11, sub = (i - 2048) % 1024;
    return ((uint64_t)1024 + sub) << (e - 10);
}
static double hpct(double p) {
    if (!hist_n) return 0;
    uint64_t want = (uint64_t)(p / 100.0 * (double)hist_n + 0.5), acc = 0;
    if (want < 1) want = 1;
    for (int i = 0; i < HBUCKETS; i++) { acc += hist[i]; if (acc >= want) return hvalue(i) / 1000.0; }
    return hist_max / 1000.0;
}

/* ---------------------------------------------------------------- receiving */

static int parse_num(const char **p, const char *end, uint64_t *v) {
    const char *s = *p; uint64_t x = 0;
    while (*p < end && **p >= '0' && **p <= '9' && *p - s < 19) { x = x * 10 + (uint64_t)(**p - '0'); (*p)++; }
    *v = x;
    return *p > s;
}
/* Finds the next "b|s=<s>|n=<n>|t=<t>" at or after *from, and moves *from past it. A room topic's payload
 * is an array of events, several under load, so one payload can hold several. */
static int find_content(const char **from, const char *end, uint64_t *snd, uint64_t *num, uint64_t *t) {
    const char *p = *from;
    while ((p = memmem(p, (size_t)(end - p), "b|s=", 4))) {
        const char *q = p + 4;
        if (parse_num(&q, end, snd) && end - q >= 3 && !memcmp(q, "|n=", 3) && (q += 3, parse_num(&q, end, num)) &&
            end - q >= 3 && !memcmp(q, "|t=", 3) && (q += 3, parse_num(&q, end, t))) {
            *from = q;
            return 1;
        }
        p += 1;
    }
    return 0;
}
/* The string value of "key" (tolerates whitespace, as json.dumps writes it); 0 if absent. */
static int json_str(const char *pl, int len, const char *key, char *out, size_t cap) {
    char k[64];
    int kl = snprintf(k, sizeof k, "\"%s\"", key);
    const char *p = pl, *end = pl + len;
    while ((p = memmem(p, (size_t)(end - p), k, (size_t)kl))) {
        const char *q = p + kl;
        while (q < end && (*q == ' ' || *q == '\t')) q++;
        if (q < end && *q == ':') {
            q++;
            while (q < end && (*q == ' ' || *q == '\t')) q++;
            if (q < end && *q == '"') {
                q++;
                size_t n = 0;
                while (q < end && *q != '"' && n + 1 < cap) out[n++] = *q++;
                out[n] = 0;
                return 1;
            }
        }
        p += 1;
    }
    return 0;
}

static void track(sess_t *s, uint64_t snd, uint64_t num, uint64_t sent_at, uint64_t now) {
    int room = (int)(snd / (uint64_t)opt.senders), j = (int)(snd % (uint64_t)opt.senders);
    if (room != s->room || num == 0) { g_foreign++; return; }
    track_t *t = &s->tr[j];
    if ((long)num >= t->cap) {
        long cap = t->cap ? t->cap : 4096;
        while (cap <= (long)num) cap *= 2;
        t->seen = realloc(t->seen, (size_t)cap);
        if (!t->seen) die("out of memory");
        memset(t->seen + t->cap, 0, (size_t)(cap - t->cap));
        t->cap = cap;
    }
    if (t->seen[num]) { g_dup++; return; }
    t->seen[num] = 1;
    g_unique++;
    if ((long)num < t->highest) g_reord++; else t->highest = (long)num;
    if (sent_at >= win_start && sent_at < win_end) {
        uint64_t lat = now >= sent_at ? now - sent_at : 0;
        g_measured++;
        hist[hbucket(lat)]++; hist_n++;
        if (lat > hist_max) hist_max = lat;
    }
    if (s->sender >= 0 && (uint64_t)s->sender == snd && s->inflight > 0) { s->inflight--; s->last_release = now; }
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg) {
    (void)m;
    sess_t *s = obj;
    g_callbacks++;
    const char *pl = msg->payload;
    int len = msg->payloadlen;
    size_t tl = strlen(msg->topic);
    if (tl >= 10 && !strcmp(msg->topic + tl - 10, "/responses")) {
        char id[80];
        if (s->reqid[0] && !s->replied && json_str(pl, len, "request_id", id, sizeof id) && !strcmp(id, s->reqid)) {
            if (!json_str(pl, len, "status", s->reply_status, sizeof s->reply_status)) strcpy(s->reply_status, "?");
            if (!json_str(pl, len, "room_id", s->reply_room, sizeof s->reply_room)) s->reply_room[0] = 0;
            if (!json_str(pl, len, "events_topic", s->reply_topic, sizeof s->reply_topic)) s->reply_topic[0] = 0;
            if (opt.verbose > 1) fprintf(stderr, "reply %s: %.*s\n", s->user, len > 300 ? 300 : len, pl);
            s->replied = 1;
        }
        return;
    }
    uint64_t snd, num, t, now = now_us();
    const char *from = pl;
    while (find_content(&from, pl + len, &snd, &num, &t)) track(s, snd, num, t, now);
}
static void on_connect(struct mosquitto *m, void *obj, int rc) {
    sess_t *s = obj;
    g_callbacks++;
    if (rc) { s->connected = -1; return; }
    s->connected = 1;
    char topic[192];
    snprintf(topic, sizeof topic, "chat/user/%s/#", s->user);
    mosquitto_subscribe(m, NULL, topic, opt.qos);
    s->subs_wanted++;
    if (opt.mode == MODE_DIRECT_TOPIC) {
        snprintf(topic, sizeof topic, "bench/room/%s-%d", tag, s->room);
        mosquitto_subscribe(m, NULL, topic, opt.qos);
        s->subs_wanted++;
    }
}
static void on_subscribe(struct mosquitto *m, void *obj, int mid, int n, const int *granted) {
    (void)m; (void)mid; (void)n; (void)granted;
    g_callbacks++;
    ((sess_t *)obj)->subacks++;
}
static void on_publish(struct mosquitto *m, void *obj, int mid) { (void)m; (void)obj; (void)mid; g_callbacks++; }

/* ---------------------------------------------------------------- the loop */

static void update_out(sess_t *s) {
    int w = mosquitto_want_write(s->m) ? 1 : 0;
    if (w == s->want_out) return;
    struct epoll_event ev = {.events = EPOLLIN | (w ? EPOLLOUT : 0), .data.ptr = s};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, s->fd, &ev)) die("epoll_ctl: %s", strerror(errno));
    s->want_out = w;
}

static void check(int rc, sess_t *s, const char *what) {
    if (rc != MOSQ_ERR_SUCCESS) die("%s %s: %s", what, s->user, mosquitto_strerror(rc));
}

/* One epoll round: read every readable session until it has no complete packet, write the writable. */
static void pump(int timeout_ms) {
    static struct epoll_event evs[1024];
    int n = epoll_wait(ep, evs, 1024, timeout_ms);
    if (n < 0 && errno != EINTR) die("epoll_wait: %s", strerror(errno));
    for (int i = 0; i < n; i++) {
        sess_t *s = evs[i].data.ptr;
        if (evs[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
            /* libmosquitto reads one packet per call; stop when a call completed none */
            for (int k = 0; k < 512; k++) {
                long before = g_callbacks;
                check(mosquitto_loop_read(s->m, 1), s, "read");
                if (g_callbacks == before) break;
            }
        }
        if (evs[i].events & EPOLLOUT) check(mosquitto_loop_write(s->m, 1), s, "write");
        update_out(s);
    }
}
static void misc_all(void) {
    for (int i = 0; i < N; i++) { check(mosquitto_loop_misc(S[i].m), &S[i], "misc"); update_out(&S[i]); }
}
typedef int (*cond_fn)(void);
static int pump_until(cond_fn done, double seconds) {
    uint64_t deadline = now_us() + (uint64_t)(seconds * 1e6), last_misc = now_us();
    while (!done()) {
        if (now_us() >= deadline) return 0;
        pump(5);
        if (now_us() - last_misc > 1000000) { misc_all(); last_misc = now_us(); }
    }
    return 1;
}
static int all_subscribed(void) {
    for (int i = 0; i < N; i++) if (S[i].connected <= 0 || S[i].subacks < S[i].subs_wanted) { if (S[i].connected < 0) die("connect refused: %s", S[i].user); return 0; }
    return 1;
}
static int all_replied(void) {
    for (int i = 0; i < N; i++) if (S[i].reqid[0] && !S[i].replied) return 0;
    return 1;
}

static void request(sess_t *s, const char *topic, const char *id, const char *extra) {
    char pl[1400];
    snprintf(s->reqid, sizeof s->reqid, "%s", id);
    s->replied = 0;
    int n = snprintf(pl, sizeof pl, "{\"token\":\"%s\",\"request_id\":\"%s\"%s}", s->token, id, extra ? extra : "");
    check(mosquitto_publish(s->m, NULL, topic, n, pl, 1, false), s, "publish request");
    update_out(s);
}
static void follow_events_topic(sess_t *s) {
    if (!s->reply_topic[0]) return;
    check(mosquitto_subscribe(s->m, NULL, s->reply_topic, opt.qos), s, "subscribe events_topic");
    s->subs_wanted++;
    update_out(s);
}

/* ---------------------------------------------------------------- sending */

static char **room_topic, **room_label;
static char **inboxes;

static int publish_one(sess_t *s, uint64_t now) {
    char content[96], pl[1400];
    s->number++;
    snprintf(content, sizeof content, "b|s=%d|n=%ld|t=%" PRIu64, s->sender, s->number, now);
    int n, rc = MOSQ_ERR_SUCCESS;
    if (opt.mode == MODE_ENGINE) {
        n = snprintf(pl, sizeof pl, "{\"token\":\"%s\",\"content\":\"%s\"}", s->token, content);
        rc = mosquitto_publish(s->m, NULL, room_topic[s->room], n, pl, opt.qos, false);
    } else {
        /* shaped and sized like the engine's message object (LoadSender.event in chat-bench) */
        const char *label = opt.mode == MODE_DIRECT ? room_label[s->room] : room_topic[s->room];
        n = snprintf(pl, sizeof pl,
                     "{\"id\":\"%s-%ld\",\"room_id\":\"%s\",\"seq\":%ld,\"sender_id\":\"%s\",\"sender_name\":\"%s\",\"content\":\"%s\","
                     "\"type\":\"text\",\"timestamp\":1700000000.123456,\"reply_to\":null,\"thread_id\":null,\"reply_count\":0,"
                     "\"reactions\":{},\"edited\":false,\"edited_at\":null,\"deleted\":false,\"flagged\":false}",
                     s->user, s->number, label, s->number, s->user, s->user, content);
        if (opt.mode == MODE_DIRECT_TOPIC) rc = mosquitto_publish(s->m, NULL, room_topic[s->room], n, pl, opt.qos, false);
        else
            for (int k = 0; k < opt.members && rc == MOSQ_ERR_SUCCESS; k++)
                rc = mosquitto_publish(s->m, NULL, inboxes[s->room * opt.members + k], n, pl, opt.qos, false);
    }
    if (rc != MOSQ_ERR_SUCCESS) { s->number--; return 0; }
    s->sent++;
    if (now >= win_start && now < win_end) s->sent_in_window++;
    update_out(s);
    return 1;
}

/* Sends what each sender may send now; returns µs until the next paced send (or 1000). */
static uint64_t send_ready(uint64_t now) {
    uint64_t wait = 1000;
    for (int i = 0; i < N; i++) {
        sess_t *s = &S[i];
        if (s->sender < 0 || now >= win_end) continue;
        if (opt.rate > 0) {
            while (s->next_due <= now && now < win_end) {
                s->inflight++;
                if (!publish_one(s, now)) break;
                s->next_due += (uint64_t)((double)(opt.rooms * opt.senders) / opt.rate * 1e6);
            }
            if (s->next_due > now && s->next_due - now < wait) wait = s->next_due - now;
        } else {
            /* a message lost at QoS 0 must not stall the sender: free a slot after 1 s without any */
            if (s->inflight >= opt.inflight && now - s->last_release > 1000000) { s->inflight--; s->last_release = now; }
            while (s->inflight < opt.inflight && now >= s->next_due) {
                if (!publish_one(s, now)) break;
                s->inflight++;
            }
        }
    }
    return wait;
}

/* ---------------------------------------------------------------- main */

static void usage(void) {
    fprintf(stderr,
            "usage: loadgen [--mode engine|seed|direct-topic|direct] [--port P] [--rooms R] [--members M] [--senders S]\n"
            "               [--qos 0|1] [--inflight K] [--rate MSGS_PER_S (0 = closed loop)] [--duration S] [--warmup S]\n"
            "               [--jwt-secret X] [--label NAME] [-v]\n"
            "Connects to 127.0.0.1 only. Prints one JSON line (keys as chat-bench load --json, plus loadgen_cpu_s).\n");
    exit(1);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
#define ARG(name) (!strcmp(a, name) && v && ++i)
        if (ARG("--mode")) {
            if (!strcmp(v, "engine") || !strcmp(v, "seed")) { opt.mode = MODE_ENGINE; if (!opt.label) opt.label = strcmp(v, "seed") ? NULL : "seed"; }
            else if (!strcmp(v, "direct-topic")) opt.mode = MODE_DIRECT_TOPIC;
            else if (!strcmp(v, "direct")) opt.mode = MODE_DIRECT;
            else usage();
        } else if (ARG("--port")) opt.port = atoi(v);
        else if (ARG("--mqtt-port")) opt.port = atoi(v);
        else if (ARG("--rooms")) opt.rooms = atoi(v);
        else if (ARG("--members")) opt.members = atoi(v);
        else if (ARG("--senders")) opt.senders = atoi(v);
        else if (ARG("--qos")) opt.qos = atoi(v);
        else if (ARG("--inflight")) opt.inflight = atoi(v);
        else if (ARG("--rate")) opt.rate = atof(v);
        else if (ARG("--duration")) opt.duration = atof(v);
        else if (ARG("--warmup")) opt.warmup = atof(v);
        else if (ARG("--jwt-secret")) opt.secret = v;
        else if (ARG("--label")) opt.label = v;
        else if (!strcmp(a, "-v")) opt.verbose++;
        else usage();
    }
    if (opt.rooms < 1 || opt.members < 1 || opt.senders < 1 || opt.senders > opt.members || opt.rooms * opt.members > 1000 ||
        opt.qos < 0 || opt.qos > 1 || opt.inflight < 1 || opt.duration <= 0 || opt.duration > 600 || opt.warmup < 0 || opt.rate < 0)
        usage();
    /* every run ends by itself: setup (≤ 90 s) + warm-up + duration + drain (5 s) + slack */
    signal(SIGALRM, on_alarm);
    alarm((unsigned)(opt.warmup + opt.duration + 120));
    struct rlimit rl;
    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }

    snprintf(tag, sizeof tag, "%04x", (unsigned)((getpid() ^ (unsigned)now_us()) & 0xffff));
    mosquitto_lib_init();
    ep = epoll_create1(0);
    N = opt.rooms * opt.members;
    S = calloc((size_t)N, sizeof *S);
    room_topic = calloc((size_t)opt.rooms, sizeof *room_topic);
    room_label = calloc((size_t)opt.rooms, sizeof *room_label);
    inboxes = calloc((size_t)N, sizeof *inboxes);
    long iat = (long)time(NULL);
    for (int r = 0; r < opt.rooms; r++)
        for (int k = 0; k < opt.members; k++) {
            sess_t *s = &S[r * opt.members + k];
            s->room = r; s->member = k; s->sender = k < opt.senders ? r * opt.senders + k : -1;
            snprintf(s->user, sizeof s->user, "lg%s-r%d-m%d", tag, r, k);
            jwt_sign(opt.secret, s->user, s->user, iat, iat + 3600, s->token, sizeof s->token);
            s->tr = calloc((size_t)opt.senders, sizeof *s->tr);
            inboxes[r * opt.members + k] = malloc(160);
            snprintf(inboxes[r * opt.members + k], 160, "chat/user/%s/messages", s->user);
            char cid[96];
            snprintf(cid, sizeof cid, "lg-%s", s->user);
            s->m = mosquitto_new(cid, true, s);
            if (!s->m) die("mosquitto_new");
            mosquitto_int_option(s->m, MOSQ_OPT_TCP_NODELAY, 1);
            mosquitto_connect_callback_set(s->m, on_connect);
            mosquitto_message_callback_set(s->m, on_message);
            mosquitto_subscribe_callback_set(s->m, on_subscribe);
            mosquitto_publish_callback_set(s->m, on_publish);
            check(mosquitto_connect_bind(s->m, "127.0.0.1", opt.port, 60, "127.0.0.1"), s, "connect");
            s->fd = mosquitto_socket(s->m);
            struct epoll_event ev = {.events = EPOLLIN, .data.ptr = s};
            if (epoll_ctl(ep, EPOLL_CTL_ADD, s->fd, &ev)) die("epoll_ctl add: %s", strerror(errno));
            update_out(s);
        }
    if (!pump_until(all_subscribed, 20)) die("sessions not connected and subscribed in 20 s");

    for (int r = 0; r < opt.rooms; r++) {
        room_topic[r] = malloc(192); room_label[r] = malloc(64);
        snprintf(room_label[r], 64, "room-%s-%d", tag, r);
        snprintf(room_topic[r], 192, "bench/room/%s-%d", tag, r);
    }
    if (opt.mode == MODE_ENGINE) {
        /* create every room, then every join in parallel (as chat-bench), following events_topic */
        for (int r = 0; r < opt.rooms; r++) {
            char id[80], extra[160];
            snprintf(id, sizeof id, "create-%s-%d", tag, r);
            snprintf(extra, sizeof extra, ",\"name\":\"bench %s %d\",\"max_members\":%d", tag, r, opt.members + 10);
            request(&S[r * opt.members], "chat/rooms/create", id, extra);
        }
        if (!pump_until(all_replied, 10)) die("create: no reply in 10 s (is the backend running?)");
        for (int r = 0; r < opt.rooms; r++) {
            sess_t *c = &S[r * opt.members];
            if (!c->reply_room[0]) die("create room %d: status %s, no room_id", r, c->reply_status);
            snprintf(room_topic[r], 192, "chat/message/%s", c->reply_room);
            follow_events_topic(c);
            c->reqid[0] = 0;
            for (int k = 1; k < opt.members; k++) {
                char topic[192], id[80];
                snprintf(topic, sizeof topic, "chat/rooms/join/%s", c->reply_room);
                snprintf(id, sizeof id, "join-%s-%d-%d", tag, r, k);
                request(&S[r * opt.members + k], topic, id, NULL);
            }
        }
        if (!pump_until(all_replied, 60)) die("join: no reply in 60 s");
        for (int i = 0; i < N; i++) {
            if (!S[i].reqid[0]) continue;
            if (strcmp(S[i].reply_status, "joined")) die("join %s: status %s", S[i].user, S[i].reply_status);
            follow_events_topic(&S[i]);
            S[i].reqid[0] = 0;
        }
        if (!pump_until(all_subscribed, 10)) die("events_topic subscriptions not acknowledged in 10 s");
    }
    /* let setup events (joins, history) pass */
    {
        uint64_t until = now_us() + 500000;
        while (now_us() < until) pump(5);
    }
    int follows = 0;
    for (int i = 0; i < N; i++) follows += S[i].reply_topic[0] != 0;
    if (opt.verbose) fprintf(stderr, "loadgen: setup done, %d sessions, %d follow a room topic; token of %s: %s\n", N, follows, S[0].user, S[0].token);

    uint64_t start = now_us() + 50000;
    win_start = start + (uint64_t)(opt.warmup * 1e6);
    win_end = win_start + (uint64_t)(opt.duration * 1e6);
    int senders = opt.rooms * opt.senders;
    for (int i = 0; i < N; i++) {
        S[i].last_release = start;
        if (S[i].sender >= 0)
            S[i].next_due = start + (opt.rate > 0 ? (uint64_t)((double)senders / opt.rate * 1e6) * (uint64_t)S[i].sender / (uint64_t)senders : 0);
    }
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    uint64_t last_misc = now_us();
    for (;;) {
        uint64_t now = now_us();
        if (now >= win_end) break;
        uint64_t wait = now >= start ? send_ready(now) : start - now;
        pump((int)((wait + 999) / 1000)); /* a paced send may leave ≤ 1 ms late; its timestamp is taken when sent */
        if (now - last_misc > 1000000) { misc_all(); last_misc = now; }
    }
    long sent = 0, sent_win = 0;
    for (int i = 0; i < N; i++) { sent += S[i].sent; sent_win += S[i].sent_in_window; }
    long expected = sent * opt.members;
    uint64_t drain_end = win_end + 5000000;
    while (g_unique < expected && now_us() < drain_end) {
        pump(5);
        if (now_us() - last_misc > 1000000) { misc_all(); last_misc = now_us(); }
    }
    getrusage(RUSAGE_SELF, &ru1);
    double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec + ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec + ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    double wall = (double)(now_us() - start) / 1e6;

    for (int i = 0; i < N; i++) mosquitto_disconnect(S[i].m);
    for (int i = 0; i < N; i++) { mosquitto_loop_write(S[i].m, 1); mosquitto_destroy(S[i].m); }
    mosquitto_lib_cleanup();

    long lost = expected - g_unique;
    if (lost < 0) lost = 0;
    printf("{\"tool\":\"loadgen\",\"label\":\"%s\",\"mode\":\"%s\",\"rooms\":%d,\"members\":%d,\"senders\":%d,\"qos\":%d,"
           "\"inflight\":%d,\"offered_rate\":%.3f,\"achieved_rate\":%.3f,\"deliveries_per_s\":%.3f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,"
           "\"p99_ms\":%.3f,\"max_ms\":%.3f,\"lost\":%ld,\"dup\":%ld,\"reordered\":%ld,\"foreign\":%ld,\"room_topics_followed\":%d,"
           "\"duration\":%.3f,\"loadgen_cpu_s\":%.2f,\"loadgen_wall_s\":%.2f}\n",
           opt.label ? opt.label : mode_names[opt.mode], mode_names[opt.mode], opt.rooms, opt.members, opt.senders, opt.qos,
           opt.inflight, opt.rate, (double)sent_win / opt.duration, (double)g_measured / opt.duration, hpct(50), hpct(90),
           hpct(99), hist_max / 1000.0, lost, g_dup, g_reord, g_foreign, follows, opt.duration, cpu, wall);
    return 0;
}
