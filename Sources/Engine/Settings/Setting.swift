import Foundation
import Logging
import MQTT
import Persistence

/// One setting of `chat-engine` (SPEC §9): its flag, environment variable, config-file key and default.
///
/// The raw value is the flag without its dashes and also the key in a `--config` file; the environment
/// variable is derived from it too (`mqtt-port`: `--mqtt-port`, `CHAT_MQTT_PORT`, `"mqtt-port"`).
///
/// **Adding a setting**: a case here and its row in `row` (default, help, kind, where the value lands).
/// The resolver, the `--help` text, the config file and the command line all read the table; the compiler
/// refuses a case without a row. Then add the flag to docs/OPERATIONS.md (a test checks it is there).
public enum Setting: String, CaseIterable, Sendable {
    case mqttHost = "mqtt-host"
    case mqttPort = "mqtt-port"
    case mqttUsername = "mqtt-username"
    case mqttPassword = "mqtt-password"
    case clientID = "client-id"
    case jwtSecret = "jwt-secret"
    case dataDir = "data-dir"
    case snapshotInterval = "snapshot-interval"
    case snapshotChanges = "snapshot-changes"
    case fsync
    case rateLimit = "rate-limit"
    case maxFileSize = "max-file-size"
    case logLevel = "log-level"
    case logFormat = "log-format"
    case metricsPort = "metrics-port"
    case httpHost = "http-host"
    case allowEmptyStart = "allow-empty-start"
    case fanout
    // What users can make the engine hold (UserLimits).
    case roomsPerUser = "rooms-per-user"
    case directRoomsPerUser = "direct-rooms-per-user"
    case replyCacheBytesPerUser = "reply-cache-bytes-per-user"
    case replyCacheBytes = "reply-cache-bytes"
    case storedBytesPerUser = "stored-bytes-per-user"
    case pendingUploadBytes = "pending-upload-bytes"
    case minFreeDiskBytes = "min-free-disk-bytes"
    case socketsPerUser = "sockets-per-user"
    case sockets
    case reactionsPerMessage = "reactions-per-message"
    case rateLimitUsers = "rate-limit-users"
    case blockedUsersPerUser = "blocked-users-per-user"
    case devicesPerUser = "devices-per-user"
    case invitationsPerRoom = "invitations-per-room"
    case pushDevicesPerUser = "push-devices-per-user"
    // The push webhook (PushConfiguration).
    case pushWebhookURL = "push-webhook-url"
    case pushWebhookSecret = "push-webhook-secret"
    case pushQueueMax = "push-queue-max"
    case pushQueueMaxBytes = "push-queue-max-bytes"
    case pushConcurrency = "push-concurrency"
    case pushTimeout = "push-timeout"
    case pushRetryWindow = "push-retry-window"

    /// The table: each setting's default (as text; nil = none), what it does, how its text is read and
    /// where the value lands in `ServeSettings`. Limits take their default from `UserLimits()`.
    var row: SettingRow {
        switch self {
        case .mqttHost: .init("127.0.0.1", "Broker host, or a comma-separated list of host[:port] (the nodes of a cluster): the engine uses the first that answers and moves to the next when its broker goes away.", .brokerHosts, \.engine.mqttHost)
        case .mqttPort: .init("1883", "Broker port (of every host given without one).", .integer(1...65535, "a port 1-65535"), \.engine.mqttPort)
        case .mqttUsername: .init(nil, "Broker user name.", .nonEmpty("a user name"), \.engine.mqttUsername)
        case .mqttPassword: .init(nil, "Broker password.", .verbatim, \.engine.mqttPassword)
        case .clientID: .init("chat-engine", "The engine's MQTT client id (the outbound connection appends -out).", .nonEmpty("a non-empty client id"), \.engine.clientID)
        case .jwtSecret: .init(nil, "HS256 token secret, at least 32 bytes; serve refuses to start without one, except with --dev.", .secret, \.engine.jwtSecret)
        case .dataDir: .init("./snapshots", "Directory of snapshots, journal and files.", .nonEmpty("a directory path"), \.engine.dataDirectory)
        case .snapshotInterval: .init("60", "Seconds between periodic snapshots (> 0).", .positiveSeconds, \.engine.snapshotInterval)
        case .snapshotChanges: .init("10000", "Changes after which a snapshot is written before the interval (> 0).", .integer(1...Int.max, "a positive number of changes"), \.engine.snapshotChanges)
        case .fsync: .init("everysec", "Journal fsync policy: always, everysec or no.", .fsyncPolicy, \.engine.fsync)
        case .rateLimit: .init("100", "Requests per minute per user, 0 = off.", .integer(0...Int.max, "requests per minute, 0 or more"), \.engine.rateLimit)
        case .maxFileSize: .init("10485760", "Largest file upload in bytes.", .integer(1...Int.max, "a positive number of bytes"), \.engine.maxFileSize)
        case .logLevel: .init("info", "trace, debug, info, notice, warning, error or critical.", .oneOf, \.logLevel)
        case .logFormat: .init("human", "human (one line of text) or json (one JSON object per line).", .oneOf, \.logFormat)
        case .metricsPort: .init("9464", "Port of the HTTP endpoint (/metrics, /healthz, the web client on / and /ws, the HTTP API on /api/v1/), 0 = off.", .integer(0...65535, "a port 0-65535 (0 = off)"), \.metricsPort)
        case .httpHost: .init("127.0.0.1", "Address the HTTP endpoint listens on; it has no TLS, so keep it on loopback behind a proxy.", .nonEmpty("a host name or address"), \.httpHost)
        case .allowEmptyStart: .init("false", "Start empty when snapshot files exist but none can be read (otherwise refuse to start).", .boolean, \.engine.allowEmptyStart)
        case .fanout: .init("inbox", "How room events reach members: inbox (one publish per member) or room-topic (one publish per event to a topic only members know; needs the shipped broker's dynamic security rules).", .oneOf, \.engine.fanout)
        case .roomsPerUser: .limit("Rooms one user may have created that still exist (DMs not counted).", \.roomsCreatedPerUser)
        case .directRoomsPerUser: .limit("Direct-message rooms one user may open with users who never answered.", \.directRoomsOpenedPerUser)
        case .replyCacheBytesPerUser: .limit("Bytes of remembered replies (request_id retries) per user; oldest forgotten first.", \.replyCacheBytesPerUser)
        case .replyCacheBytes: .limit("Bytes of remembered replies for all users together.", \.replyCacheBytesTotal)
        case .storedBytesPerUser: .limit("Bytes of stored files one user may have uploaded (disk quota).", \.storedBytesPerUser)
        case .pendingUploadBytes: .limit("Bytes of unfinished uploads held in memory for all users together.", \.pendingUploadBytesTotal)
        case .minFreeDiskBytes: .limit("Free space the data directory keeps; uploads that would go below it are refused.", \.minimumFreeDiskBytes)
        case .socketsPerUser: .limit("Open WebSocket connections of one user.", \.socketsPerUser)
        case .sockets: .limit("Open WebSocket connections in total.", \.socketsTotal)
        case .reactionsPerMessage: .limit("Distinct emoji on one message.", \.reactionsPerMessage)
        case .rateLimitUsers: .limit("Users the rate limiter tracks at once (idle ones are forgotten first).", \.rateLimitBuckets)
        case .blockedUsersPerUser: .limit("Users one user may block.", \.blockedUsersPerUser)
        case .devicesPerUser: .limit("Presence devices kept per user; a new one beyond it replaces the least recently heard.", \.devicesPerUser)
        case .invitationsPerRoom: .limit("Pending invitations one room holds.", \.invitationsPerRoom)
        case .pushDevicesPerUser: .limit("Devices one user may register for push.", \.pushDevicesPerUser)
        case .pushWebhookURL: .init(nil, "Push gateway webhook, http://host[:port][/path] (no TLS: keep it local or behind a proxy); notifications for users who are not online are POSTed there. Unset = no push.", .webhookURL, \.engine.push.webhookURL)
        case .pushWebhookSecret: .init(nil, "HMAC-SHA256 key of the webhook's X-Chat-Signature header; required with push-webhook-url.", .nonEmptyVerbatim("a non-empty secret"), \.engine.push.webhookSecret)
        case .pushQueueMax: .init("10000", "Pushes waiting for the webhook, at most; beyond it the oldest is dropped.", .integer(1...Int.max, "a positive number of pushes"), \.engine.push.queueLimit)
        case .pushQueueMaxBytes: .init("16777216", "Bytes of pushes waiting for the webhook, at most; beyond it the oldest are dropped.", .integer(1024...Int.max, "a number of bytes, at least 1024"), \.engine.push.queueBytes)
        case .pushConcurrency: .init("4", "Webhook POSTs in flight at once (one per user at a time).", .integer(1...256, "1-256"), \.engine.push.concurrency)
        case .pushTimeout: .init("10", "Seconds a webhook POST may take before it counts as failed.", .positiveSeconds, \.engine.push.timeout)
        case .pushRetryWindow: .init("3600", "Seconds after queuing during which a failed push is retried (backoff 1 s doubling to 300 s, with jitter); then it is dropped.", .positiveSeconds, \.engine.push.retryWindow)
        }
    }

    // MARK: Derived from the name and the row

    /// The command-line flag, e.g. `--mqtt-port`.
    public var flag: String { "--" + rawValue }

    /// The environment variable, e.g. `CHAT_MQTT_PORT`.
    public var environmentVariable: String {
        "CHAT_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// The default as text, or nil when the setting has none.
    public var defaultValue: String? { row.defaultValue }

    /// What the setting does, in a few words.
    public var summary: String { row.summary }

    /// True for a true/false setting: on the command line its flag alone means true (`--allow-empty-start`).
    public var isSwitch: Bool { row.isSwitch }

    /// The `--help` text: the summary, the environment variable and the default.
    public var help: String {
        "\(summary) (env: \(environmentVariable), default: \(defaultValue ?? "none"))"
    }
}

/// A setting's row in the table: its default, what it does, and how its text becomes a value in `ServeSettings`.
struct SettingRow {
    let defaultValue: String?
    let summary: String
    /// What a valid value looks like, for error messages.
    let expected: String
    let isSwitch: Bool
    /// Reads `text` (already trimmed where the kind trims) into `settings`; false when the text is invalid.
    let store: (String, inout ServeSettings) -> Bool
    let trims: Bool

    init<Value>(
        _ defaultValue: String?, _ summary: String, _ kind: SettingKind<Value>, _ target: WritableKeyPath<ServeSettings, Value>
    ) {
        self.defaultValue = defaultValue
        self.summary = summary
        expected = kind.expected
        isSwitch = kind.isSwitch
        trims = kind.trims
        store = { text, settings in
            guard let value = kind.parse(text) else { return false }
            settings[keyPath: target] = value
            return true
        }
    }

    /// A setting whose value is optional in `ServeSettings` (nil when it has neither a value nor a default).
    init<Value>(
        _ defaultValue: String?, _ summary: String, _ kind: SettingKind<Value>, _ target: WritableKeyPath<ServeSettings, Value?>
    ) {
        self.init(defaultValue, summary, kind.map { Optional($0) }, target)
    }

    /// A bound of `UserLimits`: a positive whole number, its default the one `UserLimits()` has.
    static func limit(_ summary: String, _ bound: WritableKeyPath<UserLimits, Int>) -> SettingRow {
        let limits: WritableKeyPath<ServeSettings, UserLimits> = \.engine.limits
        let target = limits.appending(path: bound)
        let defaultValue = String(UserLimits()[keyPath: bound])
        return SettingRow(defaultValue, summary, SettingKind<Int>.integer(1...Int.max, "a positive whole number"), target)
    }
}

/// How a setting's text is read: the parser, and what to say when it fails.
struct SettingKind<Value> {
    /// What a valid value looks like, for error messages.
    let expected: String
    /// False when surrounding spaces belong to the value (a password, a secret).
    var trims = true
    /// A true/false setting, given on the command line as a flag without a value.
    var isSwitch = false
    let parse: (String) -> Value?

    func map<Other>(_ transform: @escaping (Value) -> Other) -> SettingKind<Other> {
        SettingKind<Other>(expected: expected, trims: trims, isSwitch: isSwitch) { parse($0).map(transform) }
    }
}

extension SettingKind where Value == Int {
    static func integer(_ range: ClosedRange<Int>, _ expected: String) -> SettingKind {
        SettingKind(expected: expected) { Int($0).flatMap { range.contains($0) ? $0 : nil } }
    }
}

extension SettingKind where Value == String {
    static func nonEmpty(_ expected: String) -> SettingKind {
        SettingKind(expected: expected) { $0.isEmpty ? nil : $0 }
    }

    /// Any non-empty text, spaces and all (a secret).
    static func nonEmptyVerbatim(_ expected: String) -> SettingKind {
        SettingKind(expected: expected, trims: false) { $0.isEmpty ? nil : $0 }
    }

    /// An `http://host[:port][/path]` URL.
    static var webhookURL: SettingKind {
        SettingKind(expected: "http://host[:port][/path]") { WebhookTarget(url: $0) == nil ? nil : $0 }
    }

    /// Any text, spaces and all.
    static var verbatim: SettingKind { SettingKind(expected: "any text", trims: false) { $0 } }

    static var brokerHosts: SettingKind {
        SettingKind(expected: "a host name or address, or a comma-separated list of host[:port]") {
            MQTTBrokerAddress.list($0, defaultPort: 1883) == nil ? nil : $0
        }
    }

    /// A journal fsync policy, kept as its name.
    static var fsyncPolicy: SettingKind { SettingKind<FsyncPolicy>.oneOf.map(\.rawValue) }
}

extension SettingKind where Value == [UInt8] {
    /// The token secret's bytes; `SettingsResolver.secret(dev:)` checks it first, with its own messages.
    static var secret: SettingKind {
        SettingKind(expected: "at least 32 bytes", trims: false) { $0.utf8.count >= 32 ? Array($0.utf8) : nil }
    }
}

extension SettingKind where Value == Double {
    static var positiveSeconds: SettingKind {
        SettingKind(expected: "a positive number of seconds") { text in
            guard let seconds = Double(text), seconds.isFinite, seconds > 0 else { return nil }
            return seconds
        }
    }
}

extension SettingKind where Value == Bool {
    static var boolean: SettingKind {
        SettingKind(expected: "true or false", isSwitch: true) { text in
            switch text.lowercased() {
            case "true", "1", "yes", "on": true
            case "false", "0", "no", "off": false
            default: nil
            }
        }
    }
}

extension SettingKind where Value: RawRepresentable & CaseIterable, Value.RawValue == String {
    /// One of an enumeration's raw values, case-insensitive; expected: "human or json", "always, everysec or no".
    static var oneOf: SettingKind {
        let names = Value.allCases.map(\.rawValue)
        let expected = names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
        return SettingKind(expected: expected) { Value(rawValue: $0.lowercased()) }
    }
}
