import Foundation
import Testing

/// A two-node ejabberd cluster on loopback, run from `deploy/ejabberd/ejabberd.yml` by
/// `scripts/ejabberd-cluster`, for one test. Its suites run when `CHAT_TEST_EJABBERD=1`
/// (`scripts/test-cluster` sets it after installing ejabberd): a node takes seconds to start and needs
/// root, which the main test run should not.
final class EjabberdCluster: @unchecked Sendable {
    static let isEnabled = ProcessInfo.processInfo.environment["CHAT_TEST_EJABBERD"] == "1"
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../scripts/ejabberd-cluster").standardized.path
    static let enginePassword = "engine-secret"

    /// Node i's MQTT port is `ports[i - 1]`.
    let ports: [Int]
    let directory: URL
    private var stopped = false

    /// Starts `nodes` nodes on free loopback ports, node 2 joined to node 1.
    ///
    /// A port that was free when picked can be taken before a node binds it (by a client's local port:
    /// the picks come from below the kernel's ephemeral range to make that rare); the whole cluster is
    /// then started again on other ports.
    init(nodes: Int = 2) async throws {
        // The nodes run as the `ejabberd` user, who must be able to reach the directory: not under a
        // 0700 `mktemp -d`, so directly in /tmp.
        let base = "/tmp/chat-ejabberd-\(UUID().uuidString.prefix(8))"
        var attempt = 0
        while true {
            attempt += 1
            let directory = URL(fileURLWithPath: "\(base)-\(attempt)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let ports = try (0..<nodes).map { _ in try Broker.freePort(in: 20000...32767) }
            let status = try await Self.run(["start", directory.path, String(nodes)] + ports.map(String.init))
            if status == 0 {
                self.directory = directory
                self.ports = ports
                return
            }
            let log = Self.log(of: directory, node: 1).suffix(800)
            _ = try await Self.run(["stop", directory.path])
            try? FileManager.default.removeItem(at: directory)
            if attempt == 3 { throw TestFailure("scripts/ejabberd-cluster start exited \(status): \(log)") }
        }
    }

    deinit { stop() }

    /// An account for a chat user (the MQTT user name is the chat user id).
    func register(_ user: String, password: String) async throws {
        let status = try await Self.run(["register", directory.path, user, password])
        guard status == 0 else { throw TestFailure("register \(user) exited \(status)") }
    }

    /// Kills node `i` with SIGKILL: its sessions die with it, as when its machine fails.
    func kill(node i: Int) async throws {
        _ = try await Self.run(["kill", directory.path, String(i)])
    }

    /// Node `i`'s log, for failure messages.
    func log(node i: Int) -> String { Self.log(of: directory, node: i) }

    static func log(of directory: URL, node i: Int) -> String {
        (try? String(contentsOf: directory.appendingPathComponent("node\(i)/log/ejabberd.log"), encoding: .utf8)) ?? ""
    }

    /// Stops every node and removes the directory; a second call does nothing.
    func stop() {
        guard !stopped else { return }
        stopped = true
        let process = try? ChildProcess(path: "/bin/bash", arguments: [Self.script, "stop", directory.path])
        _ = process?.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func run(_ arguments: [String]) async throws -> Int32 {
        try await ChildProcess(path: "/bin/bash", arguments: [script] + arguments).exited()
    }
}
