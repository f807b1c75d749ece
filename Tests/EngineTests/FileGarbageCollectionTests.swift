import Actors
@testable import Engine
import Foundation
import Logging
import Synchronization
import Testing

/// Numbers changes like `VolatileChangeLog`, and runs `beforeFileRecord` when a file's metadata is about to
/// be recorded: the moment its blob is written and nothing else knows of it yet.
final class FileRecordHook: ChangeLog {
    let beforeFileRecord = Mutex<(@Sendable () -> Void)?>(nil)
    private let last = Atomic<UInt64>(0)

    func append(_ entry: JournalEntry, origin: ChangeOrigin?) throws -> UInt64 {
        if case .file = entry, let hook = beforeFileRecord.withLock({ $0 }) { hook() }
        return last.add(1, ordering: .relaxed).newValue
    }
}

/// A value closures can share (a `Mutex` cannot be captured by an escaping closure).
final class SharedValue<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

/// Files no message references are removed after 24 hours at the next snapshot; an upload being stored
/// is never among them.
struct FileGarbageCollectionTests {
    static let logger = Logger(label: "files") { _ in SwiftLogNoOpLogHandler() }

    func makeCore(_ log: any ChangeLog, limits: UserLimits = UserLimits()) throws -> EngineCore {
        let configuration = EngineConfiguration(
            jwtSecret: Array("gc-secret-0123456789abcdef-0123456789".utf8), dataDirectory: nil, rateLimit: 0, limits: limits)
        let core = try EngineCore(configuration: configuration, logger: Self.logger, outbox: RecordingOutbox(), changeLog: log)
        return core
    }

    /// The snapshot's collection runs on its own task while uploads are stored. One that starts as an
    /// upload's metadata is journaled waits for the catalog (the record and the insert are one step under
    /// its lock, so a snapshot covering the record holds the file) and then sees the file.
    @Test func aCollectionDuringAnUploadKeepsItsBlobAndFile() async throws {
        let log = FileRecordHook()
        let core = try makeCore(log)
        defer { try? FileManager.default.removeItem(atPath: core.files.blobs.directory) }
        let files = core.files
        let collected = SharedValue<[String]?>(nil)
        log.beforeFileRecord.withLock {
            $0 = {
                Thread.detachNewThread {
                    let removed = files.collectGarbage(referenced: [], now: 60)
                    collected.value.withLock { $0 = removed }
                }
                // Time for a collection that does not wait for the catalog to run before the insert.
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        let stored = try files.store(Array("fresh".utf8), name: "a.txt", mime: "text/plain", user: "alice", roomId: "r", now: 1)
        for _ in 0..<100 where collected.value.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        #expect(collected.value.withLock { $0 } == [])
        #expect(files.all.map(\.info.fileId) == [stored.info.fileId])
        #expect(files.blobs.contains(stored.info.sha256))
        #expect(try files.blobs.read(stored.info.sha256, offset: 0, length: 100).bytes == Array("fresh".utf8))
    }

    @Test func unreferencedFilesGoAfterTwentyFourHoursReferencedOnesStay() throws {
        let core = try makeCore(VolatileChangeLog())
        defer { try? FileManager.default.removeItem(atPath: core.files.blobs.directory) }
        let files = core.files
        let orphan = try files.store(Array("orphan".utf8), name: "o", mime: "a/b", user: "alice", roomId: "r", now: 1_000)
        let kept = try files.store(Array("kept".utf8), name: "k", mime: "a/b", user: "alice", roomId: "r", now: 1_000)
        #expect(files.bytesStored(by: "alice") == 10)

        #expect(files.collectGarbage(referenced: [], now: 1_000 + 86_399).isEmpty, "not yet 24 hours old")
        #expect(files.blobs.contains(orphan.info.sha256))
        let removed = files.collectGarbage(referenced: [kept.info.fileId], now: 1_000 + 86_401)
        #expect(removed == [orphan.info.fileId])
        #expect(!files.blobs.contains(orphan.info.sha256))
        #expect(files.blobs.contains(kept.info.sha256))
        // A removed file no longer counts against its uploader.
        #expect(files.bytesStored(by: "alice") == 4)
    }

    @Test func aBlobSharedByTwoFilesStaysWhileOneRemains() throws {
        let core = try makeCore(VolatileChangeLog())
        defer { try? FileManager.default.removeItem(atPath: core.files.blobs.directory) }
        let files = core.files
        let old = try files.store(Array("same".utf8), name: "1", mime: "a/b", user: "alice", roomId: "r", now: 0)
        let new = try files.store(Array("same".utf8), name: "2", mime: "a/b", user: "bob", roomId: "r", now: 90_000)
        #expect(files.collectGarbage(referenced: [], now: 90_001) == [old.info.fileId])
        #expect(files.blobs.contains(new.info.sha256))
    }

    @Test func twoStoresAtOnceCannotBothSlipUnderTheQuota() async throws {
        let log = FileRecordHook()
        let core = try makeCore(log, limits: UserLimits(storedBytesPerUser: 10))
        defer { try? FileManager.default.removeItem(atPath: core.files.blobs.directory) }
        let files = core.files
        // While the first 6 bytes are being recorded, a second store of 6 bytes by the same user, on
        // another thread, is refused.
        let second = SharedValue<ChatError?>(nil)
        log.beforeFileRecord.withLock {
            $0 = {
                log.beforeFileRecord.withLock { $0 = nil }
                Thread.detachNewThread {
                    do throws(ChatError) {
                        _ = try files.store(Array("second".utf8), name: "2", mime: "a/b", user: "alice", roomId: "r", now: 0)
                    } catch {
                        second.value.withLock { $0 = error }
                    }
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        _ = try files.store(Array("first!".utf8), name: "1", mime: "a/b", user: "alice", roomId: "r", now: 0)
        for _ in 0..<100 where second.value.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(20)) }
        #expect(second.value.withLock { $0?.code } == .tooLarge)
        #expect(files.bytesStored(by: "alice") == 6)
    }
}
