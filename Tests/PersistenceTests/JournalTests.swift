import Foundation
import Testing

@testable import Persistence

/// Reads every record of a journal directory after `after`.
func replayAll(_ dir: String, after: UInt64 = 0) throws -> ([(UInt64, [UInt8])], Journal.ReplayReport) {
    var records: [(UInt64, [UInt8])] = []
    let report = try Journal.replay(directory: dir, after: after) { records.append(($0, $1)) }
    return (records, report)
}

func payload(_ i: Int) -> [UInt8] {
    Array("record \(i) ".utf8) + [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: i % 50)
}

struct JournalTests {
    @Test func appendAndReplayInOrder() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .always)
            for i in 1...100 {
                #expect(try journal.append(payload(i)) == UInt64(i))
                #expect(journal.durableLSN == UInt64(i))
            }
            #expect(journal.lastLSN == 100)
            try journal.close()
            #expect(try files(in: dir) == ["journal-00000000000000000001.chatlog"])

            let (records, report) = try replayAll(dir)
            #expect(records.map(\.0) == Array(1...100))
            #expect(records.map(\.1) == (1...100).map(payload))
            #expect(report.isClean)
            #expect(report.lastLSN == 100)
            #expect(report.recordsApplied == 100)
        }
    }

    @Test func emptyPayloadAndClosedJournal() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .no)
            #expect(try journal.append([]) == 1)
            try journal.close()
            try journal.close()  // idempotent
            #expect(errorCode { _ = try journal.append([1]) } == .closed)
            let (records, _) = try replayAll(dir)
            #expect(records.count == 1 && records[0].1.isEmpty)
        }
    }

    @Test func lsnsContinueAcrossReopen() throws {
        try withTempDirectory { dir in
            var journal = try Journal.open(directory: dir, fsync: .no)
            for i in 1...10 { _ = try journal.append(payload(i)) }
            try journal.close()
            journal = try Journal.open(directory: dir, fsync: .no)
            #expect(try journal.append(payload(11)) == 11)
            try journal.close()
            // A covered LSN beyond the files (e.g. from a snapshot) moves the start forward, never back.
            journal = try Journal.open(directory: dir, fsync: .no, nextLSN: 50)
            #expect(try journal.append(payload(50)) == 50)
            try journal.close()
            journal = try Journal.open(directory: dir, fsync: .no, nextLSN: 3)
            #expect(try journal.append(payload(51)) == 51)
            try journal.close()
            #expect(try files(in: dir).count == 4)  // each open starts a new file
        }
    }

    @Test func reopeningWithoutAppendsReusesTheEmptyFile() throws {
        try withTempDirectory { dir in
            for _ in 0..<3 {
                try Journal.open(directory: dir, fsync: .no).close()
            }
            #expect(try files(in: dir) == ["journal-00000000000000000001.chatlog"])
        }
    }

    @Test func replaySkipsCoveredRecords() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .no)
            for i in 1...20 { _ = try journal.append(payload(i)) }
            try journal.close()
            let (records, report) = try replayAll(dir, after: 15)
            #expect(records.map(\.0) == Array(16...20))
            #expect(report.recordsSkipped == 15)
            #expect(report.lastLSN == 20)
        }
    }

    @Test func rotateAndRemoveCoveredFiles() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .everysec)
            for i in 1...5 { _ = try journal.append(payload(i)) }
            #expect(try journal.rotate() == 5)
            #expect(try journal.rotate() == 5)  // nothing appended: no new file
            for i in 6...9 { _ = try journal.append(payload(i)) }
            #expect(try journal.rotate() == 9)
            _ = try journal.append(payload(10))
            #expect(try files(in: dir).count == 3)

            #expect(try journal.removeFiles(coveredBy: 4).isEmpty)  // file 1…5 is not wholly covered
            #expect(try journal.removeFiles(coveredBy: 5).count == 1)
            #expect(try journal.removeFiles(coveredBy: 100).count == 1)  // never the current file
            #expect(try files(in: dir) == ["journal-00000000000000000010.chatlog"])
            try journal.close()

            let (records, report) = try replayAll(dir, after: 9)
            #expect(records.map(\.0) == [10])
            #expect(report.isClean)
        }
    }

    @Test func fsyncPolicyParsing() {
        #expect(FsyncPolicy(parsing: "always") == .always)
        #expect(FsyncPolicy(parsing: "everysec") == .everysec)
        #expect(FsyncPolicy(parsing: "EverySec") == .everysec)
        #expect(FsyncPolicy(parsing: "no") == .no)
        #expect(FsyncPolicy(parsing: "sometimes") == nil)
        #expect(FsyncPolicy(parsing: "") == nil)
    }

    @Test func tooLargePayloadIsRejected() throws {
        try withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .no)
            #expect(errorCode { _ = try journal.append([UInt8](repeating: 0, count: 64 * 1024 * 1024 + 1)) } == .tooLarge)
            #expect(try journal.append([1]) == 1)
            try journal.close()
        }
    }

    @Test(arguments: [FsyncPolicy.everysec, .always])
    func concurrentAppendsGetUniqueLSNs(policy: FsyncPolicy) async throws {
        try await withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: policy)
            let tasks = 8
            let perTask = policy == .always ? 250 : 1000
            let clock = ContinuousClock()
            let elapsed = try await clock.measure {
                try await withThrowingTaskGroup(of: [UInt64].self) { group in
                    for task in 0..<tasks {
                        group.addTask {
                            try (0..<perTask).map { i in try journal.append(Array("\(task):\(i)".utf8)) }
                        }
                    }
                    var all: [UInt64] = []
                    for try await lsns in group { all += lsns }
                    #expect(Set(all).count == tasks * perTask)
                }
            }
            try journal.close()
            let total = tasks * perTask
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("journal \(policy): \(total) appends from \(tasks) tasks in \(elapsed) (\(Int(Double(total) / seconds))/s)")

            let (records, report) = try replayAll(dir)
            #expect(report.isClean)
            #expect(records.map(\.0) == Array(1...UInt64(total)))
            #expect(Set(records.map { String(decoding: $0.1, as: UTF8.self) }).count == total)
        }
    }

    @Test func everysecFlushesInTheBackground() async throws {
        try await withTempDirectory { dir in
            let journal = try Journal.open(directory: dir, fsync: .everysec)
            _ = try journal.append([1, 2, 3])
            #expect(journal.durableLSN == 0)
            try await Task.sleep(for: .milliseconds(1500))
            #expect(journal.durableLSN == 1)
            _ = try journal.append([4])
            try journal.close()
            #expect(journal.durableLSN == 2)
        }
    }
}
