import Foundation
import Testing

extension Broker {
    /// The project's folder of broker files, `deploy/mosquitto`.
    static let deployFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../deploy/mosquitto").standardized

    /// mosquitto running `deploy/mosquitto/mosquitto.conf` as shipped, only its ports and paths changed:
    /// `ports[0]` is the users' listener, `ports[1]` the engine's. Accounts are made by the shipped
    /// `add-user` (the engine's as `chat-engine`), the ACL is the shipped one.
    static func shipped(users: [(name: String, password: String)], enginePassword: String) async throws -> Broker {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (user, password) in users + [("chat-engine", enginePassword)] {
            #expect(try await addUser(user, password, in: directory) == 0, "add-user \(user)")
        }
        // Copied next to the password files: mosquitto reads them after dropping root to its own user, who
        // may not be allowed into the checkout (a clone under `mktemp -d` is 0700).
        try FileManager.default.copyItem(
            atPath: deployFolder.appendingPathComponent("acl").path, toPath: directory.appendingPathComponent("acl").path)
        let shipped = try String(contentsOf: deployFolder.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
        return try await Broker(portCount: 2) { ports in
            shipped
                .replacingOccurrences(of: "listener 1883 ", with: "listener \(ports[0]) ")
                .replacingOccurrences(of: "listener 1884 ", with: "listener \(ports[1]) ")
                .replacingOccurrences(of: "/etc/mosquitto/chat/", with: directory.path + "/")
                .replacingOccurrences(of: "/var/lib/mosquitto/", with: directory.path + "/")
        }
    }

    /// Runs the shipped `add-user` with its password files in `directory`; returns its exit status.
    static func addUser(_ user: String, _ password: String, in directory: URL) async throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment.merging([
            "CHAT_PASSWD_FILE": directory.appendingPathComponent("passwd").path,
            "CHAT_ENGINE_PASSWD_FILE": directory.appendingPathComponent("engine-passwd").path,
        ]) { $1 }
        return await try ChildProcess(
            path: "/bin/bash", arguments: [deployFolder.appendingPathComponent("add-user").path, user, password],
            environment: environment
        ).exited()
    }
}
