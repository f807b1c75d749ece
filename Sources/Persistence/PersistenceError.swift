/// An error from the persistence layer, with a stable code callers can match on.
public struct PersistenceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable error codes; the raw values appear in logs, so never rename them.
    public enum Code: String, Sendable, Hashable, CaseIterable {
        /// The input ended before a complete value, header or stream.
        case truncated
        /// The bytes are structurally invalid (bad varint, bad UTF-8, bad zlib data, trailing garbage…).
        case corrupt
        /// The file does not start with the expected magic bytes.
        case badMagic
        /// The file was written by a newer format version than this build understands.
        case unsupportedVersion
        /// A stored CRC32 does not match the bytes it covers.
        case checksumMismatch
        /// A size limit was exceeded (decompression bomb, absurd record length).
        case tooLarge
        /// A system call failed; `errno` holds the cause.
        case io
        /// The journal was used after `close()` or after an unrecoverable write failure.
        case closed
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// Human-readable detail (path, offsets, sizes) for logs.
    public let message: String
    /// The `errno` value for `.io` errors.
    public let errno: Int32?

    /// Creates an error.
    /// - Parameters:
    ///   - code: The stable code.
    ///   - message: Detail for logs.
    ///   - errno: The system error number, when a system call failed.
    public init(_ code: Code, _ message: String, errno: Int32? = nil) {
        self.code = code
        self.message = message
        self.errno = errno
    }

    public var description: String {
        if let errno {
            return "\(code.rawValue): \(message) (errno \(errno))"
        }
        return "\(code.rawValue): \(message)"
    }
}
