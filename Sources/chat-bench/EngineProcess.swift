import Foundation

/// The engine as a child process: started from `--engine-cmd`, SIGKILLed and restarted by `--chaos`.
///
/// Its output goes to a log file rather than a pipe, so a child that logs a lot never blocks on a full
/// pipe, and readiness is the next `ready` line appended after each start.
// Process is not Sendable; every access goes through `lock`.
final class EngineProcess: @unchecked Sendable {
    let command: String
    let logPath: String
    private let lock = NSLock()
    private var process: Process?
    private(set) var starts = 0

    init(command: String, logPath: String) {
        self.command = command
        self.logPath = logPath
    }

    /// Starts the command and waits (≤ `timeout` s) for a new `ready` line in its log.
    func start(timeout: Double = 30) async throws {
        let offset = (try? FileManager.default.attributesOfItem(atPath: logPath)[.size] as? Int) ?? 0
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sh")
        let quotedLog = "'" + logPath.replacingOccurrences(of: "'", with: "'\\''") + "'"
        child.arguments = ["-c", "exec \(command) >>\(quotedLog) 2>&1"]
        try child.run()
        lock.withLock {
            process = child
            starts += 1
        }
        let deadline = Date().addingTimeInterval(timeout)
        // Only what this start appended is read, every 5 ms: restore benchmarks time the start to `ready`.
        var seen = ""
        var position = UInt64(offset)
        while Date() < deadline {
            if let handle = FileHandle(forReadingAtPath: logPath) {
                try? handle.seek(toOffset: position)
                let data = handle.readDataToEndOfFile()
                try? handle.close()
                position += UInt64(data.count)
                seen += String(decoding: data, as: UTF8.self)
                if seen.contains("ready") { return }
            }
            guard child.isRunning else { throw StressError("engine exited (\(child.terminationStatus)) before ready; see \(logPath)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw StressError("engine not ready after \(Int(timeout)) s; see \(logPath)")
    }

    /// The running child's process id (the engine itself: the shell `exec`s it).
    var pid: Int32? { lock.withLock { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } } }

    /// SIGKILL, as a crash would.
    func kill9() {
        let child = lock.withLock { process }
        guard let child, child.isRunning else { return }
        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
    }

    /// SIGTERM and wait up to 10 s (the engine writes its final snapshot), then SIGKILL.
    func stop() async {
        let child = lock.withLock { process }
        guard let child, child.isRunning else { return }
        child.terminate()
        for _ in 0..<200 where child.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
        if child.isRunning { kill9() }
    }
}
