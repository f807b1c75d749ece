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
    init(nodes: Int = 2) async throws {
        // The nodes run as the `ejabberd` user, who must be able to reach the directory: not under a
        // 0700 `mktemp -d`, so directly in /tmp.
        directory = URL(fileURLWithPath: "/tmp/chat-ejabberd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ports = try (0..<nodes).map { _ in try Broker.freePort() }
        let status = try await Self.run(["start", directory.path, String(nodes)] + ports.map(String.init))
        guard status == 0 else {
            throw TestFailure("scripts/ejabberd-cluster start exited \(status): \(log(node: 1).suffix(800))")
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

    /// The tail of node `i`'s log, for failure messages.
    func log(node i: Int) -> String {
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
        await try ChildProcess(path: "/bin/bash", arguments: [script] + arguments).exited()
    }
}
