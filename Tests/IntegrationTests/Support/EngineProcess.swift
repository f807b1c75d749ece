import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `chat-engine` executable as a child process, for restart and crash tests.
final class EngineProcess: @unchecked Sendable {
    let dataDirectory: String
    let logPath: String
    let port: Int
    let clientID: String
    private(set) var child: ChildProcess?

    init(port: Int, dataDirectory: String, clientID: String = "engine-\(UUID().uuidString.prefix(8))") {
        self.port = port
        self.dataDirectory = dataDirectory
        self.clientID = clientID
        self.logPath = dataDirectory + ".log"
    }

    /// The built executable next to the test bundle.
    static var executable: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("chat-engine").path
    }

    /// Starts the engine and waits for its `ready` line (a line appended after this start).
    func start(extra: [String] = []) async throws {
        let before = (try? String(contentsOfFile: logPath, encoding: .utf8))?.count ?? 0
        child = try ChildProcess(
            path: Self.executable,
            arguments: [
                "serve", "--mqtt-port", "\(port)", "--jwt-secret", EngineHarness.secret, "--client-id", clientID,
                "--data-dir", dataDirectory, "--rate-limit", "0", "--metrics-port", "0",
            ] + extra,
            logPath: logPath)
        for _ in 0..<500 {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if log.count > before, log.dropFirst(before).contains(" ready") { return }
            if child?.hasExited() == true { throw TestFailure("the engine exited; log:\n\(log)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestFailure("the engine did not become ready; log:\n\(log())")
    }

    /// SIGTERM (graceful) or SIGKILL (crash); returns the exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        defer { child = nil }
        return child?.stop(signal: signal) ?? 0
    }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}
