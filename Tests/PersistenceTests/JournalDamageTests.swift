import Foundation
import Testing

@testable import Persistence

/// Crash damage: torn tails, garbage, bit flips, gaps between files.
struct JournalDamageTests {
    /// Writes records 1...count into one file and returns its path and the offset where the last record starts.
    func writeJournal(_ dir: String, count: Int = 20) throws -> (path: String, lastRecordStart: Int) {
        let journal = try Journal.open(directory: dir, fsync: .no)
        for i in 1...count { _ = try journal.append(payload(i)) }
        try journal.close()
        let path = dir + "/" + (try files(in: dir)).last!
        let lastRecordStart = try readFile(path).count - (16 + payload(count).count)
        return (path, lastRecordStart)
    }

    /// After a repair, a reopened journal must append after the last whole record and replay cleanly.
    func expectAppendsContinue(_ dir: String, after lastGood: UInt64) throws {
        let journal = try Journal.open(directory: dir, fsync: .always)
        #expect(try journal.append(Array("after repair".utf8)) == lastGood + 1)
        try journal.close()
        let (records, report) = try replayAll(dir)
        #expect(report.isClean)
        #expect(records.map(\.0) == Array(1...(lastGood + 1)))
        #expect(records.last?.1 == Array("after repair".utf8))
    }

    @Test func tornTailAtRandomOffsets() throws {
        var rng = SplitMix64(seed: 77)
        let recordSize = 16 + payload(20).count
        // Every cut inside the 16-byte record header, plus random cuts inside the payload.
        let cuts = Array(1..<16) + (0..<8).map { _ in Int.random(in: 16..<recordSize, using: &rng) }
        for cut in cuts {
            try withTempDirectory { dir in
                let (path, start) = try writeJournal(dir)
                try writeFile(path, Array(try readFile(path).prefix(start + cut)))

                let (records, report) = try replayAll(dir)
                #expect(records.map(\.0) == Array(1...19), "cut \(cut)")
                #expect(report.damage.count == 1)
                #expect(report.damage.first?.offset == start)
                #expect(report.damage.first?.bytesDropped == cut)
                #expect(try readFile(path).count == start, "file truncated at the last whole record")
                try expectAppendsContinue(dir, after: 19)
            }
        }
    }

    @Test func garbageAfterLastRecord() throws {
        try withTempDirectory { dir in
            let (path, _) = try writeJournal(dir)
            let size = try readFile(path).count
            try writeFile(path, try readFile(path) + randomBytes(1000, seed: 5))
            let (records, report) = try replayAll(dir)
            #expect(records.count == 20)
            #expect(report.damage.first?.offset == size)
            #expect(report.damage.first?.bytesDropped == 1000)
            try expectAppendsContinue(dir, after: 20)
        }
    }

    @Test func absurdLengthIsDamageNotAnAllocation() throws {
        try withTempDirectory { dir in
            let (path, _) = try writeJournal(dir)
            var header = ByteWriter()
            header.writeUInt32(0xFFFF_FFF0)
            header.writeUInt32(0)
            header.writeUInt64(21)
            try writeFile(path, try readFile(path) + header.bytes + [1, 2, 3])
            let (records, report) = try replayAll(dir)
            #expect(records.count == 20)
            #expect(report.damage.first?.error.code == .tooLarge)
        }
    }

    @Test(arguments: [0, 4, 8, 16, 20])
    func flippedByteInLastRecord(at position: Int) throws {
        try withTempDirectory { dir in
            let (path, start) = try writeJournal(dir)
            var bytes = try readFile(path)
            bytes[start + position] ^= 0x20
            try writeFile(path, bytes)
            let (records, report) = try replayAll(dir)
            #expect(records.map(\.0) == Array(1...19))
            #expect(report.damage.count == 1)
            try expectAppendsContinue(dir, after: 19)
        }
    }

    @Test func corruptionMidFileDropsTheRestOfTheFile() throws {
        try withTempDirectory { dir in
            let (path, _) = try writeJournal(dir)
            var bytes = try readFile(path)
            bytes[12 + 16 + 3] ^= 0xFF  // payload of record 1
            try writeFile(path, bytes)
            let (records, report) = try replayAll(dir)
            #expect(records.isEmpty)
            #expect(report.damage.first?.offset == 12)
            try expectAppendsContinue(dir, after: 0)
        }
    }

    @Test func continuousFileAfterDamagedOneIsRead() throws {
        try withTempDirectory { dir in
            try writeTwoFiles(dir)
            let first = dir + "/" + (try files(in: dir)).first!
            try writeFile(first, try readFile(first) + [1, 2, 3])  // a torn tail that lost nothing

            let (records, report) = try replayAll(dir)
            #expect(records.map(\.0) == Array(1...20))
            #expect(report.damage.count == 1)
            #expect(report.quarantined.isEmpty)
        }
    }

    @Test func filesAfterAGapAreQuarantined() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .no)
            for i in 1...10 { _ = try journal.append(payload(i)) }
            try journal.rotate()
            for i in 11...20 { _ = try journal.append(payload(i)) }
            try journal.rotate()
            for i in 21...30 { _ = try journal.append(payload(i)) }
            try journal.close()
            let names = try files(in: dir)
            let first = dir + "/" + names[0]
            var bytes = try readFile(first)
            // Damage record 5: records 5…10 are lost, so 11…30 would follow a hole.
            let recordFive = 12 + (1...4).map { 16 + payload($0).count }.reduce(0, +)
            bytes[recordFive + 17] ^= 0x01
            try writeFile(first, bytes)

            let (records, report) = try replayAll(dir)
            #expect(records.map(\.0) == Array(1...4))
            #expect(report.quarantined.count == 2)
            #expect(report.quarantined.allSatisfy { $0.hasSuffix(".chatlog.corrupt") })
            #expect(try files(in: dir).filter { $0.hasSuffix(".chatlog") } == [names[0]])
            try expectAppendsContinue(dir, after: 4)
        }
    }

    @Test func gapBelowTheSnapshotIsNotAGap() throws {
        try withTempDirectory { dir in
            try writeTwoFiles(dir)
            try FileManager.default.removeItem(atPath: dir + "/" + (try files(in: dir)).first!)
            // The snapshot covers 10, so a journal starting at 11 is complete.
            let (records, report) = try replayAll(dir, after: 10)
            #expect(records.map(\.0) == Array(11...20))
            #expect(report.isClean)
        }
    }

    @Test func headerlessFileFromACrashIsRemoved() throws {
        try withTempDirectory { dir in
            _ = try writeJournal(dir, count: 3)
            let torn = dir + "/journal-00000000000000000004.chatlog"
            try writeFile(torn, Array("CHAT".utf8))
            let (records, report) = try replayAll(dir)
            #expect(records.count == 3)
            #expect(report.damage.first?.path == torn)
            #expect(!FileManager.default.fileExists(atPath: torn))
            try expectAppendsContinue(dir, after: 3)
        }
    }

    @Test func newerFormatVersionThrowsAndTouchesNothing() throws {
        try withTempDirectory { dir in
            let (path, _) = try writeJournal(dir, count: 3)
            var bytes = try readFile(path)
            bytes[8] = 9
            try writeFile(path, bytes)
            #expect(errorCode { _ = try replayAll(dir) } == .unsupportedVersion)
            #expect(try readFile(path) == bytes)
        }
    }

    @Test func openingBeforeReplayStillContinuesTheSequence() throws {
        try withTempDirectory { dir in
            let (path, start) = try writeJournal(dir)
            try writeFile(path, Array(try readFile(path).prefix(start + 5)))
            // open() skips the torn record when choosing the next LSN, so replay sees no gap.
            let journal = try Journal.open(directory: dir, fsync: .no)
            #expect(try journal.append([7]) == 20)
            try journal.close()
            let (records, report) = try replayAll(dir)
            #expect(records.map(\.0) == Array(1...20))
            #expect(report.damage.count == 1)
        }
    }

    /// Two journal files: records 1–10, then 11–20.
    func writeTwoFiles(_ dir: String) throws {
        let journal = try Journal.open(directory: dir, fsync: .no)
        for i in 1...10 { _ = try journal.append(payload(i)) }
        try journal.rotate()
        for i in 11...20 { _ = try journal.append(payload(i)) }
        try journal.close()
    }
}
