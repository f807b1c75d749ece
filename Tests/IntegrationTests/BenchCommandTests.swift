import Foundation
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// `chat-bench load` end to end against a real broker (and, in engine mode, the engine executable): every
/// mode delivers each message to each member once and in order, and its JSON line says how it ran.
@Suite(.timeLimit(.minutes(2)))
struct BenchCommandTests {
    static var executable: String {
        URL(fileURLWithPath: EngineProcess.executable).deletingLastPathComponent().appendingPathComponent("chat-bench").path
    }

    /// Runs a short load (2 rooms × 3 members, 1 sender each, 1 s) and returns its JSON line.
    func load(port: Int, _ arguments: [String]) async throws -> JSONValue {
        let logPath = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: logPath) }
        let child = try ChildProcess(
            path: Self.executable,
            arguments: [
                "load", "--mqtt-port", "\(port)", "--jwt-secret", EngineHarness.secret, "--rooms", "2", "--members", "3",
                "--senders", "1", "--duration", "1", "--warmup", "0.3", "--json",
            ] + arguments,
            logPath: logPath)
        let status = await child.exited()
        let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        guard status == 0, let line = output.split(separator: "\n").last, case .object? = try? JSONParser.parse(Array(line.utf8)) else {
            throw TestFailure("chat-bench \(arguments) exited with \(status):\n\(output)")
        }
        return try JSONParser.parse(Array(line.utf8))
    }

    func expectEverythingDelivered(_ result: JSONValue, mode: String) {
        #expect(result["mode"]?.stringValue == mode)
        #expect((result["achieved_rate"]?.doubleValue ?? 0) > 0)
        #expect((result["deliveries_per_s"]?.doubleValue ?? 0) >= 2.5 * (result["achieved_rate"]?.doubleValue ?? 0))
        #expect(result["lost"]?.intValue == 0 && result["dup"]?.intValue == 0 && result["reordered"]?.intValue == 0)
        #expect((result["p99_ms"]?.doubleValue ?? 0) > 0)
    }

    @Test func directModesDeliverEverythingOnceInOrder() async throws {
        let broker = try await Broker()
        defer { broker.stop() }
        expectEverythingDelivered(try await load(port: broker.port, ["--mode", "direct"]), mode: "direct")
        expectEverythingDelivered(try await load(port: broker.port, ["--mode", "direct-topic"]), mode: "direct-topic")
        let qos1 = try await load(port: broker.port, ["--mode", "direct", "--publish-qos", "1", "--rate", "100"])
        expectEverythingDelivered(qos1, mode: "direct")
        #expect(qos1["publish_qos"]?.intValue == 1 && qos1["qos"]?.intValue == 0)
        #expect(qos1["offered_rate"]?.doubleValue == 100)
    }

    @Test func theBenchLogsInToABrokerThatRequiresIt() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-login-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let passwd = directory.appendingPathComponent("passwd").path
        let made = try ChildProcess(path: try MosquittoCLI.path("mosquitto_passwd"), arguments: ["-c", "-b", passwd, "bench", "bench-pw"])
        #expect(await made.exited() == 0)
        // mosquitto reads the file after dropping root to its own user.
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: passwd)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let broker = try await Broker(extraConfig: "allow_anonymous false\npassword_file \(passwd)\n", tuned: false)
        defer { broker.stop() }
        let result = try await load(port: broker.port, ["--mode", "direct", "--mqtt-username", "bench", "--mqtt-password", "bench-pw"])
        expectEverythingDelivered(result, mode: "direct")
        await #expect(throws: (any Error).self) {
            _ = try await load(port: broker.port, ["--mode", "direct", "--duration", "0.5"])
        }
    }

    @Test func engineModeDeliversThroughTheEngineWithAndWithoutRequestIds() async throws {
        let broker = try await Broker()
        defer { broker.stop() }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-data-\(UUID().uuidString)").path
        let engine = EngineProcess(port: broker.port, dataDirectory: directory)
        try await engine.start()
        defer { engine.stop() }
        let plain = try await load(port: broker.port, ["--mode", "engine"])
        expectEverythingDelivered(plain, mode: "engine")
        #expect(plain["request_ids"]?.boolValue == false)
        let withIds = try await load(port: broker.port, ["--mode", "engine", "--request-ids"])
        expectEverythingDelivered(withIds, mode: "engine")
        #expect(withIds["request_ids"]?.boolValue == true)
    }
}
