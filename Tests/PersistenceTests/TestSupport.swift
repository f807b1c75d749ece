import Actors
import Foundation
import Testing

@testable import Persistence

/// Runs `body` with a fresh, empty directory that is removed afterwards.
func withTempDirectory<T>(_ body: (String) throws -> T) throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("persistence-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

/// Async variant of ``withTempDirectory(_:)``.
func withTempDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("persistence-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A seeded generator, so a failing random case can be reproduced.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func randomBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &rng) }
}

/// Text-like data that compresses well, like an encoded chat state.
func compressibleBytes(_ count: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    let words = ["hello", "room", "message", "alice", "bob", "general", "the", "quick", "fox", " ", "\n"]
    var out: [UInt8] = []
    out.reserveCapacity(count + 16)
    while out.count < count {
        out.append(contentsOf: words.randomElement(using: &rng)!.utf8)
    }
    return Array(out.prefix(count))
}

/// The code of the PersistenceError thrown by `body`, or nil (and a recorded issue) if none was.
func errorCode(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void
) -> PersistenceError.Code? {
    do {
        try body()
        Issue.record("expected a PersistenceError, nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as PersistenceError {
        return error.code
    } catch {
        Issue.record("expected a PersistenceError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

func writeFile(_ path: String, _ bytes: [UInt8]) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func readFile(_ path: String) throws -> [UInt8] {
    try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
}

func files(in directory: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
}

/// Each entry survives encoding with and without its origin, and every truncation of it is refused.
func expectRoundTrips(_ entries: [JournalEntry], origin: ChangeOrigin) throws {
    for entry in entries {
        #expect(try JournalEntryCodec.decode(JournalEntryCodec.encode(entry)) == entry)
        let record = try JournalEntryCodec.decodeRecord(JournalEntryCodec.encode(entry, origin: origin))
        #expect(record.entry == entry && record.origin == origin)
        let bytes = JournalEntryCodec.encode(entry)
        for length in 0..<bytes.count {
            #expect(throws: PersistenceError.self) { _ = try JournalEntryCodec.decode(Array(bytes.prefix(length))) }
        }
    }
}
