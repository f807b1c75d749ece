import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A private mosquitto on a free loopback port, started for one test and stopped after it.
final class Broker: @unchecked Sendable {
    /// The listener ports, in the order the config names them.
    let ports: [Int]
    var port: Int { ports[0] }
    let directory: URL
    private let process: ChildProcess
    private let stopped = Atomic<Bool>(false)

    /// The lines every test broker but a stock one adds: what the project's scripts and benchmarks run.
    static let tuning = """
        set_tcp_nodelay true
        max_queued_messages 100000
        max_inflight_messages 1000

        """

    /// Starts mosquitto with `extraConfig` appended to a loopback listener config, on `port` or a free one.
    /// `tuned: false` gives mosquitto's defaults (what a user's own broker runs): nothing but the listener
    /// and `extraConfig`.
    convenience init(port fixedPort: Int? = nil, extraConfig: String = "allow_anonymous true\n", tuned: Bool = true) async throws {
        try await self.init(fixedPorts: fixedPort.map { [$0] }) { ports in
            "listener \(ports[0]) 127.0.0.1\n" + (tuned ? Self.tuning : "") + extraConfig
        }
    }

    /// Starts mosquitto with the whole config `render` makes for `portCount` listener ports (free ones
    /// unless `fixedPorts`); `port` is the first.
    ///
    /// A free port is only free when it is picked: before mosquitto binds it, one of the many client
    /// connections of tests running in parallel can take it as its local port, and mosquitto exits. Picked
    /// ports are then tried again with others; fixed ones are not.
    init(fixedPorts: [Int]? = nil, portCount: Int = 1, render: ([Int]) -> String) async throws {
        await BrokerSlots.shared.acquire()
        var started = false
        defer { if !started { BrokerSlots.shared.release() } }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("mosquitto.conf")
        let log = directory.appendingPathComponent("mosquitto.log").path
        var attempt = 0
        while true {
            attempt += 1
            let ports = try fixedPorts ?? (0..<portCount).map { _ in try Self.freePort() }
            try render(ports).write(to: config, atomically: true, encoding: .utf8)
            let process = try ChildProcess(path: try Self.mosquittoPath(), arguments: ["-c", config.path], logPath: log)
            do {
                for port in ports { try await Self.waitUntilListening(port: port, unless: process) }
                self.ports = ports
                self.process = process
                started = true
                return
            } catch {
                process.stop(signal: SIGKILL)
                if fixedPorts != nil || attempt == 3 {
                    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw TestFailure("\(error); mosquitto said: \(output.suffix(400))")
                }
            }
        }
    }

    deinit { stop() }

    /// What mosquitto has logged so far, for failure messages.
    var log: String {
        (try? String(contentsOf: directory.appendingPathComponent("mosquitto.log"), encoding: .utf8)) ?? ""
    }

    /// Whether mosquitto is still running.
    var isRunning: Bool { !process.hasExited() }

    /// Freezes mosquitto (SIGSTOP): connections stay open, nothing is read or acknowledged.
    func pause() { kill(process.pid, SIGSTOP) }

    /// Lets a paused mosquitto run again.
    func resume() { kill(process.pid, SIGCONT) }

    /// Stops mosquitto and frees the test's slot; a second call does nothing.
    func stop() {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        process.stop()
        try? FileManager.default.removeItem(at: directory)
        BrokerSlots.shared.release()
    }

    static func mosquittoPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = folder + "/mosquitto"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("mosquitto is not installed (apt-get install -y mosquitto)")
    }

    /// A loopback port nothing listens on now: any the kernel picks, or one of `range`.
    static func freePort(in range: ClosedRange<Int>? = nil) throws -> Int {
        for _ in 0..<(range == nil ? 1 : 100) {
            if let port = bindable(range.map { UInt16(Int.random(in: $0)) } ?? 0) { return port }
        }
        throw TestFailure("no free loopback port\(range.map { " in \($0)" } ?? "")")
    }

    /// Binds `port` (0: any) on loopback and returns the port bound, or nil if it is taken.
    private static func bindable(_ port: UInt16) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }

    /// Waits without holding a thread: the tests' async pool has one per core.
    static func waitUntilListening(port: Int, unless process: ChildProcess? = nil) async throws {
        for _ in 0..<200 {
            if let fd = LoopbackSocket.connect(port: port) {
                close(fd)
                return
            }
            if process?.hasExited() == true { throw TestFailure("mosquitto exited before listening on \(port)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("mosquitto did not start listening on \(port)")
    }
}

/// A test precondition that failed outside an expectation.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
