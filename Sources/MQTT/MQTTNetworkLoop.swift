import CMosquitto
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The network thread of one `MQTTClient`: reads, writes, keep-alive and reconnects.
///
/// It replaces libmosquitto's own `mosquitto_loop_start` thread, which wakes once per queued packet
/// and sends each packet in a TCP segment of its own. A fan-out of one chat message to twenty inboxes
/// then cost twenty thread wake-ups and twenty loopback segments, each processed by the broker on its
/// own: most of the engine's CPU went to the kernel. This loop is woken once per batch of publishes
/// (`requestWrite`), writes everything libmosquitto has queued with the socket corked, and uncorks, so the
/// batch leaves in as few segments as the kernel can make of it. On a connection that only publishes it
/// also reads acknowledgements in batches (`acknowledgementBatchBytes`).
final class MQTTNetworkLoop: @unchecked Sendable {
    private let handle: OpaquePointer
    private let reconnectDelay: UInt32
    private let reconnectDelayMax: UInt32
    /// A self-pipe: a byte written here interrupts `poll`.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Set while a wake-up byte is pending, so a burst of publishes wakes the thread once.
    private let wakePending = Atomic<Bool>(false)
    private let stopping = Atomic<Bool>(false)
    private var thread: pthread_t?
    private var client = Client(handOver: {}, reconnect: { false }, readable: { true }, acknowledgements: { Acknowledgements(batched: false, window: 1, awaited: false) })
    /// The socket whose receive low-water mark is raised (a reconnect brings a new one), and the mark.
    private var batchedSocket: Int32 = -1
    private var batchedBytes: Int32 = 0
    /// Reused by every poll and drain, so the loop allocates nothing per turn.
    private var pollSet = [pollfd](repeating: pollfd(), count: 2)
    private var drainBuffer = [UInt8](repeating: 0, count: 64)

    /// What the loop asks of its client, on the loop's thread.
    struct Client {
        /// Moves the client's queued publishes into libmosquitto; runs before every write.
        var handOver: () -> Void
        /// Connects again after the connection was lost; whether it succeeded.
        var reconnect: () -> Bool
        /// Whether the socket may be read: false while the receiver declines what was already read.
        var readable: () -> Bool
        /// Asked once per turn of the loop.
        var acknowledgements: () -> Acknowledgements
    }

    /// What may arrive on the connection, for batching acknowledgements.
    struct Acknowledgements {
        /// The connection is up and nothing but acknowledgements and keep-alive answers can arrive (the
        /// client subscribes to nothing), so they may be read in batches.
        var batched: Bool
        /// QoS ≥ 1 publishes that can be unacknowledged at once.
        var window: Int
        /// QoS ≥ 1 publishes wait for their acknowledgement.
        var awaited: Bool
    }

    /// Bytes that must be waiting before `poll` reports an acknowledgement-only socket readable: about
    /// 64 PUBACKs. The broker acknowledges every QoS 1 publish in a TCP segment of its own; waking for
    /// each cost a thread wake-up per delivery on both sides.
    static let acknowledgementBatchBytes: Int32 = 256

    /// The low-water mark for a window of `window` unacknowledged publishes: a quarter of the window's
    /// PUBACKs (4 bytes each), at most `acknowledgementBatchBytes`, so three quarters of the window stay in
    /// flight while a batch is read. A mark the window cannot fill (256 bytes with mosquitto's default of
    /// 20 in flight: 80 bytes of PUBACKs) left every window waiting for the poll timeout; half the window
    /// left the broker idle for a quarter of the time (docs/BENCHMARKS.md §4).
    static func lowWaterMark(window: Int) -> Int32 {
        Int32(min(Int(acknowledgementBatchBytes), max(1, window / 4) * 4))
    }

    /// Shown by `top -H` and in profiles (Linux keeps 15 bytes).
    private let threadName: String

    init(handle: OpaquePointer, name: String, reconnectDelay: UInt32, reconnectDelayMax: UInt32) throws {
        self.handle = handle
        threadName = String(("mqtt-" + name).utf8.prefix(15))!
        self.reconnectDelay = max(1, reconnectDelay)
        self.reconnectDelayMax = max(self.reconnectDelay, reconnectDelayMax)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw MQTTError("wake pipe", code: Int32(MOSQ_ERR_ERRNO.rawValue)) }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        // libmosquitto takes its own locks around every queue when told another thread drives the loop,
        // and then only queues packets in `mosquitto_publish`; this thread writes them.
        mosquitto_threaded_set(handle, true)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Starts the thread; libmosquitto must already have a connection (or a failed one to retry).
    func start(_ client: Client) throws {
        self.client = client
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { context in
            let loop = Unmanaged<MQTTNetworkLoop>.fromOpaque(context!).takeRetainedValue()
            loop.nameThread()
            loop.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<MQTTNetworkLoop>.fromOpaque(context).release()
            throw MQTTError("network thread", code: Int32(MOSQ_ERR_ERRNO.rawValue))
        }
        self.thread = thread
    }

    /// Names the calling thread (Glibc's `pthread_setname_np` is not visible to Swift).
    private func nameThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        _ = threadName.withCString { write(fd, $0, strlen($0)) }
        close(fd)
    }

    /// Asks the thread to write what libmosquitto has queued; cheap when a wake-up is already pending.
    func requestWrite() {
        if wakePending.exchange(true, ordering: .acquiringAndReleasing) { return }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    /// Lets the thread finish writing (a queued DISCONNECT included) and waits for it to end.
    func stop() {
        stopping.store(true, ordering: .releasing)
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        if let thread { pthread_join(thread, nil) }
        thread = nil
    }

    private func run() {
        var delay = reconnectDelay
        var stopDeadline: ContinuousClock.Instant?
        while true {
            if stopping.load(ordering: .acquiring) {
                let deadline = stopDeadline ?? .now + .seconds(1)
                stopDeadline = deadline
                // A disconnect closes the socket once its DISCONNECT is written; give up after a second.
                if mosquitto_socket(handle) < 0 || ContinuousClock.now >= deadline { return }
            }
            let socket = mosquitto_socket(handle)
            if socket < 0 {
                batchedSocket = -1
                if stopping.load(ordering: .acquiring) { return }
                wait(milliseconds: Int32(delay) * 1000)
                if stopping.load(ordering: .acquiring) { return }
                if client.reconnect() {
                    delay = reconnectDelay
                } else {
                    delay = min(delay * 2, reconnectDelayMax)
                }
                continue
            }
            serviceOnce(socket: socket)
        }
    }

    /// One poll and whatever it found: incoming packets, queued packets, keep-alive.
    private func serviceOnce(socket: Int32) {
        let acknowledgements = client.acknowledgements()
        let batched = acknowledgements.batched
        let awaited = acknowledgements.awaited
        if batched {
            var bytes = Self.lowWaterMark(window: acknowledgements.window)
            if batchedSocket != socket || batchedBytes != bytes {
                _ = setsockopt(socket, SOL_SOCKET, SO_RCVLOWAT, &bytes, socklen_t(MemoryLayout<Int32>.size))
                batchedSocket = socket
                batchedBytes = bytes
            }
        }
        let reading = client.readable()
        pollSet[0] = pollfd(
            fd: socket, events: (reading ? Int16(POLLIN) : 0) | (mosquitto_want_write(handle) ? Int16(POLLOUT) : 0), revents: 0)
        pollSet[1] = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
        // Below the low-water mark the last few acknowledgements are picked up by a short timeout; a
        // declined message is offered again after one as short.
        let ready = poll(&pollSet, 2, !reading ? 1 : batched && awaited ? 2 : 1000)
        if ready > 0 && pollSet[1].revents != 0 {
            drainWakeups()
            // Cleared before writing: a publish queued after this point wakes the thread again.
            wakePending.store(false, ordering: .releasing)
        }
        if reading && (batched || (ready > 0 && pollSet[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0)) {
            if mosquitto_loop_read(handle, 1) != MOSQ_ERR_SUCCESS.rawValue || mosquitto_socket(handle) < 0 { return }
            quickAcknowledge(socket)
        }
        client.handOver()
        if mosquitto_want_write(handle) {
            corked(socket) { _ = mosquitto_loop_write(handle, 1) }
            if mosquitto_socket(handle) < 0 { return }
        }
        _ = mosquitto_loop_misc(handle)
    }

    /// Acknowledges what was read at once instead of after the kernel's delayed-ACK timer (up to 40 ms).
    /// A broker on its defaults (mosquitto's `set_tcp_nodelay false`) holds each small packet (a PUBACK, a
    /// delivery) back until its previous one is acknowledged: with delayed ACKs every such pair cost
    /// 40 ms. Linux clears the flag again by itself, so it is set after every read.
    private func quickAcknowledge(_ socket: Int32) {
        var on: Int32 = 1
        _ = setsockopt(socket, Int32(IPPROTO_TCP), Int32(TCP_QUICKACK), &on, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Runs `body` with TCP_CORK set, so its writes leave as full segments when it ends.
    private func corked(_ socket: Int32, _ body: () -> Void) {
        var on: Int32 = 1
        var off: Int32 = 0
        _ = setsockopt(socket, Int32(IPPROTO_TCP), Int32(TCP_CORK), &on, socklen_t(MemoryLayout<Int32>.size))
        body()
        // The socket may have been closed (and its number reused) by a failed write; only uncork our own.
        if mosquitto_socket(handle) == socket {
            _ = setsockopt(socket, Int32(IPPROTO_TCP), Int32(TCP_CORK), &off, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    private func drainWakeups() {
        while read(wakeRead, &drainBuffer, drainBuffer.count) > 0 {}
    }

    /// Sleeps `milliseconds`, returning early only when `stop` is called: publishes queued meanwhile must
    /// not cut a reconnect backoff short.
    private func wait(milliseconds: Int32) {
        let deadline = ContinuousClock.now + .milliseconds(Int(milliseconds))
        while !stopping.load(ordering: .acquiring) {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { return }
            let (seconds, attoseconds) = left.components
            pollSet[1] = pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)
            _ = poll(&pollSet[1], 1, Int32(seconds * 1000 + attoseconds / 1_000_000_000_000_000) + 1)
            drainWakeups()
            wakePending.store(false, ordering: .releasing)
        }
    }
}
