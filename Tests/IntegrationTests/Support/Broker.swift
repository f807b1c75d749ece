import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A private mosquitto on a free loopback port, started for one test and stopped after it.
final class Broker: @unchecked Sendable {
    let port: Int
    let directory: URL
    private let process: ChildProcess

    /// Starts mosquitto with `extraConfig` appended to a loopback listener config, on `port` or a free one.
    ///
    /// A free port is only free when it is picked: before mosquitto binds it, one of the many client
    /// connections of tests running in parallel can take it as its local port, and mosquitto exits. A picked
    /// port is then tried again with another; a fixed one is not.
    init(port fixedPort: Int? = nil, extraConfig: String = "allow_anonymous true\n") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("broker-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("mosquitto.conf")
        let log = directory.appendingPathComponent("mosquitto.log").path
        var attempt = 0
        while true {
            attempt += 1
            let port = try fixedPort ?? Self.freePort()
            try """
            listener \(port) 127.0.0.1
            set_tcp_nodelay true
            max_queued_messages 100000
            max_inflight_messages 1000
            \(extraConfig)
            """.write(to: config, atomically: true, encoding: .utf8)
            let process = try ChildProcess(path: try Self.mosquittoPath(), arguments: ["-c", config.path], logPath: log)
            do {
                try Self.waitUntilListening(port: port, unless: process)
                self.port = port
                self.process = process
                return
            } catch {
                process.stop(signal: SIGKILL)
                if fixedPort != nil || attempt == 3 {
                    let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                    throw TestFailure("\(error); mosquitto said: \(output.suffix(400))")
                }
            }
        }
    }

    deinit { stop() }

    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func mosquittoPath() throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for folder in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = folder + "/mosquitto"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestFailure("mosquitto is not installed (apt-get install -y mosquitto)")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw TestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func waitUntilListening(port: Int, unless process: ChildProcess? = nil) throws {
        for _ in 0..<200 {
            if let fd = LoopbackSocket.connect(port: port) {
                close(fd)
                return
            }
            if process?.hasExited() == true { throw TestFailure("mosquitto exited before listening on \(port)") }
            usleep(20_000)
        }
        throw TestFailure("mosquitto did not start listening on \(port)")
    }
}

/// A test precondition that failed outside an expectation.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
