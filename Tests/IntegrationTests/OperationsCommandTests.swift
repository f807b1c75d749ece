import Engine
import Foundation
import Testing
import Wire
#if canImport(Glibc)
import Glibc
#endif

/// Issue 8 through the real `chat-engine` executable: help text, start-up validation, JSON logs,
/// the HTTP endpoint, and SIGTERM ending with exit status 0 and a final snapshot that verifies.
@Suite(.timeLimit(.minutes(2)))
struct OperationsCommandTests {
    @Test func serveHelpListsEveryEnvironmentVariableAndDefault() async throws {
        let run = try await EngineCommand.run(["serve", "--help"])
        #expect(run.status == 0)
        for variable in [
            "CHAT_MQTT_HOST", "CHAT_MQTT_PORT", "CHAT_MQTT_USERNAME", "CHAT_MQTT_PASSWORD", "CHAT_CLIENT_ID",
            "CHAT_JWT_SECRET", "CHAT_DATA_DIR", "CHAT_SNAPSHOT_INTERVAL", "CHAT_SNAPSHOT_CHANGES", "CHAT_FSYNC",
            "CHAT_RATE_LIMIT", "CHAT_MAX_FILE_SIZE", "CHAT_LOG_LEVEL", "CHAT_LOG_FORMAT", "CHAT_METRICS_PORT",
            "CHAT_ALLOW_EMPTY_START", "CHAT_CONFIG",
        ] {
            #expect(run.output.contains(variable), "--help does not mention \(variable)")
        }
        for fallback in ["default: 1883", "default: 9464", "default: everysec", "default: 10485760", "default: ./snapshots"] {
            #expect(run.output.contains(fallback), "--help does not mention \(fallback)")
        }
    }

    @Test(arguments: [
        (["serve", "--dev", "--mqtt-port", "abc"], [String: String](), "mqtt-port"),
        (["serve", "--dev"], ["CHAT_FSYNC": "sometimes"], "CHAT_FSYNC"),
        (["serve", "--dev", "--snapshot-interval=-1"], [:], "snapshot-interval"),
        (["serve", "--jwt-secret", "too-short"], [:], "jwt-secret"),
        (["serve", "--dev", "--log-level", "loud"], [:], "log-level"),
        (["serve", "--dev", "--metrics-port", "port"], [:], "metrics-port"),
        (["serve"], [:], "CHAT_JWT_SECRET"),
    ])
    func invalidSettingsFailAtStartUpNamingTheSetting(arguments: [String], environment: [String: String], named: String) async throws {
        let run = try await EngineCommand.run(arguments, environment: environment)
        #expect(run.status == 78, "invalid settings exit with EX_CONFIG")
        #expect(run.output.contains(named), "\(arguments) \(environment): \(run.output)")
    }

    @Test func tokenUsesTheSameSecretSettings() async throws {
        let secret = "a-secret-for-the-token-command-0123456789"
        let run = try await EngineCommand.run(["token", "--user", "alice"], environment: ["CHAT_JWT_SECRET": secret])
        #expect(run.status == 0)
        let token = run.output.split(separator: "\n").last.map(String.init) ?? ""
        let claims = try TokenVerifier(secret: secret).verify(token, now: Date().timeIntervalSince1970)
        #expect(claims.sub == "alice")
    }

    @Test func servesHealthAndMetricsLogsJSONAndExitsZeroOnSIGTERM() async throws {
        let broker = try await Broker()
        defer { broker.stop() }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let config = work.appendingPathComponent("engine.json")
        let metricsPort = try Broker.freePort()
        try #"{"metrics-port": \#(metricsPort), "log-format": "json", "mqtt-port": 1}"#.write(to: config, atomically: true, encoding: .utf8)
        let log = work.appendingPathComponent("engine.log").path
        // The config file sets the metrics port and log format; the environment's broker port beats the file's.
        let engine = try ChildProcess(
            path: try EngineCommand.path(),
            arguments: ["serve", "--dev", "--config", config.path, "--data-dir", work.appendingPathComponent("data").path],
            environment: ProcessInfo.processInfo.environment.merging(["CHAT_MQTT_PORT": "\(broker.port)"]) { $1 },
            logPath: log)
        let http = HTTPProbe(port: metricsPort)
        try await http.waitFor("ready in the log", timeout: 20) {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("ready")
        }
        try await http.waitForHealth(200, timeout: 10)
        let alice = try await ChatClient(userId: "alice", port: broker.port, secret: SettingsResolver.developmentSecret)
        #expect(try await alice.request("chat/rooms/create", ["name": "ops"]).status == "room_created")
        let metrics = try await http.waitForMetrics("the request counted") {
            $0.value("chat_requests_total", ["route": "chat/rooms/create", "outcome": "room_created"]) == 1
        }
        #expect(metrics.value("chat_broker_connected", ["connection": "inbound"]) == 1)
        #expect(metrics.value("chat_rooms") == 1)
        // The room_created reply is remembered for retries.
        #expect(metrics.value("chat_reply_cache_bytes") > 0)

        #expect(try await offCooperativePool { engine.stop(signal: SIGTERM) } == 0)
        // The final snapshot is there and reads back whole.
        let data = work.appendingPathComponent("data").path
        let snapshot = try #require(
            try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasSuffix(".chatsnap") }.max())
        let verify = try await EngineCommand.run(["snapshot", "verify", data + "/" + snapshot])
        #expect(verify.status == 0, "\(verify.output)")
        let inspect = try await EngineCommand.run(["snapshot", "inspect", data + "/" + snapshot])
        #expect(inspect.status == 0, "\(inspect.output)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let json = try? JSONParser.parse(Array(line.utf8))
            #expect(json?["message"]?.stringValue != nil, "not a JSON log line: \(line)")
        }
        #expect(lines.contains { $0.contains(#""message":"ready""#) })
        #expect(lines.contains { $0.contains(#""message":"stopped""#) })
    }
}

/// The built `chat-engine` executable, next to the test bundle (`swift build --build-tests` builds both).
enum EngineCommand {
    static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["CHAT_ENGINE_BINARY"] { return path }
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()].map({ $0.appendingPathComponent("chat-engine").path })
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw TestFailure("chat-engine is not built next to \(folder.path): run swift build --build-tests first")
    }

    /// Runs the executable to its end; returns its exit status and what it wrote to stdout and stderr.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await offCooperativePool { try runBlocking(arguments, environment: environment) }
    }

    static func runBlocking(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("cmd-\(UUID().uuidString).log").path
        defer { try? FileManager.default.removeItem(atPath: log) }
        var base = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CHAT_") }
        base.merge(environment) { $1 }
        let process = try ChildProcess(path: try path(), arguments: arguments, environment: base, logPath: log)
        let status = process.wait()
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }
}
