import Testing

@testable import Persistence

struct SnapshotStoreTests {
    static let limit = 1 << 20

    @Test func writesAtomicallyAndKeepsNewestThree() throws {
        try withTempDirectory { dir in
            let store = try SnapshotStore(directory: dir, engineVersion: "test")
            for lsn in 1...5 {
                let info = try store.write(body: compressibleBytes(10_000, seed: UInt64(lsn)), coveredLSN: UInt64(lsn * 10))
                #expect(info.path.contains("snapshot"))
                #expect(info.coveredLSN == UInt64(lsn * 10))
                #expect(info.bodySize == 10_000)
            }
            let entries = try store.list()
            #expect(entries.map(\.coveredLSN) == [30, 40, 50])
            #expect(try files(in: dir).count == 3)  // no temp files left behind
            #expect(entries.last!.path.hasSuffix(".chatsnap"))
            #expect(entries.last!.path.contains("snapshot-00000000000000000050-"))

            guard case .loaded(let loaded, let skipped) = try store.loadNewestValid(limit: Self.limit) else {
                Issue.record("expected a snapshot")
                return
            }
            #expect(skipped.isEmpty)
            #expect(loaded.header.coveredLSN == 50)
            #expect(loaded.header.engineVersion == "test")
            #expect(loaded.body == compressibleBytes(10_000, seed: 5))
        }
    }

    @Test func removesStaleTempFiles() throws {
        try withTempDirectory { dir in
            let stale = dir + "/snapshot-00000000000000000001-1.chatsnap.tmp"
            try writeFile(stale, [1, 2, 3])
            let store = try SnapshotStore(directory: dir)
            #expect(try files(in: dir).isEmpty)
            try writeFile(stale, [1, 2, 3])
            _ = try store.write(body: [1], coveredLSN: 2)
            #expect(try files(in: dir).count == 1)
        }
    }

    @Test func fallsBackWhenNewestIsCorrupt() throws {
        try withTempDirectory { dir in
            let store = try SnapshotStore(directory: dir)
            _ = try store.write(body: [1, 1, 1], coveredLSN: 1)
            _ = try store.write(body: [2, 2, 2], coveredLSN: 2)
            let newest = try store.write(body: [3, 3, 3], coveredLSN: 3)
            var bytes = try readFile(newest.path)
            bytes[bytes.count - 3] ^= 0x40
            try writeFile(newest.path, bytes)

            let result = try store.loadNewestValid(limit: Self.limit)
            #expect(result.body == [2, 2, 2])
            #expect(result.skipped.map(\.path) == [newest.path])
            #expect(result.skipped.first?.error.code == .checksumMismatch)
        }
    }

    @Test func fallsBackWhenNewestIsTruncated() throws {
        try withTempDirectory { dir in
            let store = try SnapshotStore(directory: dir)
            _ = try store.write(body: [1], coveredLSN: 1)
            let newest = try store.write(body: randomBytes(5000, seed: 9), coveredLSN: 2)
            try writeFile(newest.path, Array(try readFile(newest.path).prefix(100)))
            let result = try store.loadNewestValid(limit: Self.limit)
            #expect(result.body == [1])
            #expect(result.skipped.first?.error.code == .truncated)
        }
    }

    @Test func distinguishesNoneFromAllInvalid() throws {
        try withTempDirectory { dir in
            let store = try SnapshotStore(directory: dir)
            guard case .none = try store.loadNewestValid(limit: Self.limit) else {
                Issue.record("empty directory must load as .none")
                return
            }
            let info = try store.write(body: [1, 2, 3], coveredLSN: 7)
            try writeFile(info.path, Array("garbage".utf8))
            guard case .allInvalid(let skipped) = try store.loadNewestValid(limit: Self.limit) else {
                Issue.record("a directory of broken snapshots must load as .allInvalid")
                return
            }
            #expect(skipped.count == 1)
            #expect(skipped.first?.error.code == .badMagic)
        }
    }

    @Test func ignoresUnrelatedFiles() throws {
        try withTempDirectory { dir in
            try writeFile(dir + "/notes.txt", [1])
            try writeFile(dir + "/journal-00000000000000000001.chatlog", [1])
            let store = try SnapshotStore(directory: dir)
            #expect(try store.list().isEmpty)
            guard case .none = try store.loadNewestValid(limit: Self.limit) else {
                Issue.record("unrelated files are not snapshots")
                return
            }
        }
    }
}
