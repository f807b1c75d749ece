#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over POSIX file calls that surface every error, fsync's above all.
///
/// FileHandle swallows fsync failures and cannot truncate or pread safely; durability needs the raw calls.
/// Every file and directory the engine creates is created here, owner-only: the data directory holds every
/// message and upload, and nobody else on the machine has a reason to read it.
enum FileIO {
    /// Permissions of every file the engine creates: read and write for its owner only.
    static let fileMode: mode_t = 0o600
    /// Permissions of every directory the engine creates: its owner only.
    static let directoryMode: mode_t = 0o700

    static func error(_ what: String, _ path: String, errno code: Int32 = errno) -> PersistenceError {
        PersistenceError(.io, "\(what) \(path): \(String(cString: strerror(code)))", errno: code)
    }

    /// Opens a file, retrying on EINTR.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = fileMode) throws -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("open", path) }
        }
    }

    static func openForReading(_ path: String) throws -> Int32 {
        try open(path, O_RDONLY)
    }

    /// Opens for read/write, creating or emptying the file.
    static func create(_ path: String) throws -> Int32 {
        try open(path, O_RDWR | O_CREAT | O_TRUNC)
    }

    static func openForUpdate(_ path: String) throws -> Int32 {
        try open(path, O_RDWR)
    }

    /// Writes all bytes, looping over partial writes and EINTR.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n > 0 {
                done += n
            } else if n < 0 && errno == EINTR {
                continue
            } else {
                throw error("write", path, errno: n == 0 ? EIO : errno)
            }
        }
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws {
        try bytes.withUnsafeBytes { raw in try writeAll(fd, raw, path: path) }
    }

    static func fsync(_ fd: Int32, path: String) throws {
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw error("fsync", path) }
        }
    }

    /// Makes a rename or create durable: the directory entry lives in the directory's own blocks.
    static func fsyncDirectory(_ path: String) throws {
        let fd = try open(path, O_RDONLY | O_DIRECTORY)
        defer { _ = Glibc.close(fd) }
        try fsync(fd, path: path)
    }

    static func fileSize(_ fd: Int32, path: String) throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error("fstat", path) }
        return Int(info.st_size)
    }

    /// Reads up to `count` bytes from `offset` (fewer only at end of file).
    static func read(_ fd: Int32, count: Int, at offset: Int, path: String) throws -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = 0
            while initialized < count {
                let n = pread(fd, buffer.baseAddress! + initialized, count - initialized, off_t(offset + initialized))
                if n > 0 {
                    initialized += n
                } else if n == 0 {
                    break
                } else if errno != EINTR {
                    failure = errno
                    break
                }
            }
        }
        if failure != 0 { throw error("read", path, errno: failure) }
        return bytes
    }

    /// Reads a whole file into memory.
    static func readFile(_ path: String) throws -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { _ = Glibc.close(fd) }
        return try read(fd, count: try fileSize(fd, path: path), at: 0, path: path)
    }

    static func truncate(_ fd: Int32, to size: Int, path: String) throws {
        while ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw error("ftruncate", path) }
        }
    }

    static func rename(_ from: String, _ to: String) throws {
        guard Glibc.rename(from, to) == 0 else { throw error("rename to \(to)", from) }
    }

    /// Removes a file; a file that is already gone is not an error.
    static func unlink(_ path: String) throws {
        guard Glibc.unlink(path) == 0 || errno == ENOENT else { throw error("unlink", path) }
    }

    /// Creates a directory and its missing parents, like `mkdir -p`.
    static func makeDirectory(_ path: String) throws {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            guard mkdir(prefix, directoryMode) == 0 || errno == EEXIST else { throw error("mkdir", prefix) }
            prefix += "/"
        }
    }

    /// Bytes an unprivileged process can still write on the file system holding `path`.
    static func availableBytes(_ path: String) throws -> Int {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw error("statvfs", path) }
        let bytes = UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize))
        return bytes.overflow || bytes.partialValue > UInt64(Int.max) ? Int.max : Int(bytes.partialValue)
    }

    /// Names of the entries in a directory (no `.`/`..`).
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw error("opendir", path) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(cString: raw.baseAddress!.assumingMemoryBound(to: CChar.self))
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
