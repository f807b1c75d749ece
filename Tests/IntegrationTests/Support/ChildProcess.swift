import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and reaped with waitpid.
///
/// Foundation's `Process.waitUntilExit` can hang on Linux when called from a Swift concurrency thread
/// (it spins a run loop), so tests manage their brokers and engines with the plain system calls.
final class ChildProcess: @unchecked Sendable {
    let pid: pid_t
    private var reaped = false
    private var exitStatus: Int32 = 0
    private let lock = NSLock()

    /// Spawns `path` with `arguments`; output goes to `logPath` (or /dev/null).
    init(path: String, arguments: [String], environment: [String: String]? = nil, logPath: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let output = logPath ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // The engine under test runs in this process: a child that inherited its sockets would keep a
        // connection the engine closed open (its peer never sees the close).
        Self.closeInheritedDescriptors(&actions)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let env = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { env.forEach { free($0) } }
        // Swift's worker threads block signals; without resetting the mask the child would ignore SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, env)
        guard rc == 0 else { throw TestFailure("could not start \(path): \(String(cString: strerror(rc)))") }
        self.pid = pid
    }

    deinit { stop(signal: SIGKILL) }

    /// glibc ≥ 2.34 has `posix_spawn_file_actions_addclosefrom_np`, but Swift's Glibc module does not
    /// export it: look it up.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: CloseFrom.self)(&actions, 3)
    }

    /// Sends `signal` and waits for the process to exit; returns its exit status (or 128 + signal).
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return 0 }
        kill(pid, signal)
        return reap()
    }

    /// Waits for the process to exit by itself.
    @discardableResult
    func wait() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return 0 }
        return reap()
    }

    /// Whether the process has exited (reaping it if so).
    func hasExited() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !reaped else { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            reaped = true
            exitStatus = Self.decode(status)
            return true
        }
        return false
    }

    /// Waits for the process to exit by itself without holding a thread (tests run hundreds of these
    /// on a pool of one thread per core); returns its exit status.
    func exited() async -> Int32 {
        while !hasExited() { try? await Task.sleep(for: .milliseconds(5)) }
        return lock.withLock { exitStatus }
    }

    private func reap() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        reaped = true
        exitStatus = Self.decode(status)
        return exitStatus
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signaled = (status & 0x7f) != 0
        return signaled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
    }
}
