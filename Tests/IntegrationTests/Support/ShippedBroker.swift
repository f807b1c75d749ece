import Foundation
import Testing

extension Broker {
    /// The project's folder of broker files, `deploy/mosquitto`.
    static let deployFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../../deploy/mosquitto").standardized
    static let dynsecAdminPassword = "admin-pw"

    /// mosquitto running `deploy/mosquitto/mosquitto.conf` as shipped, only its ports and paths changed:
    /// `ports[0]` is the users' listener (dynamic security), `ports[1]` the engine's. Set up as
    /// OPERATIONS.md says in `folder` (a fresh one if nil): `setup-dynsec` before and after the start,
    /// accounts by the shipped `add-user` (the engine's as `chat-engine`).
    static func shipped(
        users: [(name: String, password: String)], enginePassword: String, in folder: URL? = nil, ports fixedPorts: [Int]? = nil
    ) async throws -> Broker {
        let directory = folder ?? FileManager.default.temporaryDirectory.appendingPathComponent("shipped-\(UUID().uuidString)")
        // A folder set up before is started again as it is: accounts, rules and saved sessions.
        let setUp = FileManager.default.fileExists(atPath: directory.appendingPathComponent("dynamic-security.json").path)
        if !setUp {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // mosquitto drops root to its own user, who reads the files here and rewrites the plugin's file.
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: directory.path)
            #expect(try await addUser("chat-engine", enginePassword, in: directory) == 0, "add-user chat-engine")
            #expect(try await setupDynsec(in: directory, port: 0) == 0, "setup-dynsec before the start")
            try FileManager.default.copyItem(
                atPath: deployFolder.appendingPathComponent("acl").path, toPath: directory.appendingPathComponent("acl").path)
        }
        let shipped = try String(contentsOf: deployFolder.appendingPathComponent("mosquitto.conf"), encoding: .utf8)
        let broker = try await Broker(fixedPorts: fixedPorts, portCount: 2) { ports in
            shipped
                .replacingOccurrences(of: "listener 1883 ", with: "listener \(ports[0]) ")
                .replacingOccurrences(of: "listener 1884 ", with: "listener \(ports[1]) ")
                .replacingOccurrences(of: "/etc/mosquitto/chat/", with: directory.path + "/")
                .replacingOccurrences(of: "/var/lib/mosquitto/", with: directory.path + "/")
        }
        if !setUp {
            #expect(try await setupDynsec(in: directory, port: broker.port) == 0, "setup-dynsec once running")
        }
        for (user, password) in users {
            #expect(try await addUser(user, password, in: directory, port: broker.port) == 0, "add-user \(user)")
        }
        return broker
    }

    /// Runs the shipped `add-user` with its files in `directory` and the broker's users' listener on
    /// `port`; returns its exit status.
    static func addUser(
        _ user: String, _ password: String, in directory: URL, port: Int = 0, adminPassword: String = dynsecAdminPassword
    ) async throws -> Int32 {
        try await runShipped("add-user", [user, password], in: directory, port: port, adminPassword: adminPassword)
    }

    /// Runs the shipped `setup-dynsec` with its file in `directory`: it creates the file when there is
    /// none, else it adds the chat rules through the broker on `port`.
    static func setupDynsec(in directory: URL, port: Int) async throws -> Int32 {
        try await runShipped("setup-dynsec", [], in: directory, port: port)
    }

    private static func runShipped(
        _ script: String, _ arguments: [String], in directory: URL, port: Int, adminPassword: String = dynsecAdminPassword
    ) async throws -> Int32 {
        let environment = ProcessInfo.processInfo.environment.merging([
            "CHAT_ENGINE_PASSWD_FILE": directory.appendingPathComponent("engine-passwd").path,
            "CHAT_DYNSEC_FILE": directory.appendingPathComponent("dynamic-security.json").path,
            "CHAT_DYNSEC_PORT": String(port),
            "CHAT_DYNSEC_ADMIN_PASSWORD": adminPassword,
        ]) { $1 }
        return await try ChildProcess(
            path: "/bin/bash", arguments: [deployFolder.appendingPathComponent(script).path] + arguments,
            environment: environment, logPath: directory.appendingPathComponent("\(script).log").path
        ).exited()
    }
}
