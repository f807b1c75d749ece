import BenchCore
import Testing

struct RoomTimelineTests {
    @Test func consecutiveSeqsInPeriodsPass() {
        var timeline = RoomTimeline()
        timeline.open()
        for seq: UInt64 in 3...6 { timeline.deliver(seq) }
        timeline.close()
        timeline.open()
        for seq: UInt64 in 9...10 { timeline.deliver(seq) }
        #expect(timeline.violations(finalSeq: 10).isEmpty)
    }

    @Test func reportsGapDuplicateOrderTailAndOutside() {
        var timeline = RoomTimeline()
        timeline.open()
        for seq: UInt64 in [1, 2, 4, 4, 3] { timeline.deliver(seq) }
        #expect(timeline.violations(finalSeq: 8).count == 4)
        timeline.close()
        timeline.deliver(9)
        #expect(timeline.violations(finalSeq: nil).contains { $0.contains("after leaving") })
    }
}

struct ReplyLedgerTests {
    @Test func countsMissingDuplicateAndUnmatched() {
        var ledger = ReplyLedger()
        ledger.sent("a")
        ledger.sent("b")
        ledger.sent("c")
        let first = ledger.replied("a")
        let second = ledger.replied("a")
        #expect(first && !second)
        ledger.replied("b")
        ledger.replied("zzz")
        ledger.replied(nil)
        #expect(ledger.requests == 3)
        #expect(ledger.missing == 1)
        #expect(ledger.missingIds == ["c"])
        #expect(ledger.duplicates == 1)
        #expect(ledger.unmatched == 2)
    }
}

struct MemberCountCheckTests {
    @Test func acceptsAnyOrderOfASerialHistory() {
        // 1 → join 2 → join 3 → leave 2 → join 3 → leave 2 → leave 1
        var check = MemberCountCheck()
        check.joined(count: 2)
        check.left(count: 1)
        check.joined(count: 3)
        check.left(count: 2)
        check.joined(count: 3)
        check.left(count: 2)
        #expect(check.violations(final: 1).isEmpty)
        #expect(!check.violations(final: 2).isEmpty)
    }

    @Test func rejectsTwoJoinsReportingTheSameCount() {
        var check = MemberCountCheck()
        check.joined(count: 2)
        check.joined(count: 2)
        #expect(!check.violations(final: 3).isEmpty)
    }
}

struct RoomAuditTests {
    @Test func findsLostAndChangedAcknowledgedMessages() {
        var audit = RoomAudit()
        audit.historyComplete = true
        audit.history = [1: .init(id: "m1", content: "a"), 2: .init(id: "m2", content: "b")]
        audit.acknowledged = [1: .init(id: "m1", content: "a"), 3: .init(id: "m3")]
        audit.deliver(seq: 1, id: "m1")
        audit.deliver(seq: 2, id: "m2")
        #expect(audit.violations().count == 1)
        audit.deliver(seq: 2, id: "other")
        #expect(audit.violations().count == 2)
    }

    @Test func ignoresSeqsEvictedFromAFullRing() {
        var audit = RoomAudit()
        audit.ringCapacity = 2
        audit.historyComplete = true
        audit.history = [9: .init(id: "m9"), 10: .init(id: "m10")]
        audit.acknowledged = [3: .init(id: "m3"), 10: .init(id: "m10")]
        #expect(audit.violations().isEmpty)
        audit.ringCapacity = 1000
        #expect(audit.violations().count == 1)
    }

    @Test func ignoresSeqsOlderThanPartialHistory() {
        var audit = RoomAudit()
        audit.history = [500: .init(id: "m500")]
        audit.acknowledged = [3: .init(id: "m3"), 500: .init(id: "m500")]
        #expect(audit.violations().isEmpty)
    }
}

struct ReplyLedgerRetryTests {
    @Test func aRetryMayBringOneMoreIdenticalReplyButNoMore() {
        var ledger = ReplyLedger()
        ledger.sent("r1")
        ledger.resent("r1")
        ledger.replied("r1")
        ledger.replied("r1")
        #expect(ledger.missing == 0)
        #expect(ledger.duplicates == 0)
        #expect(ledger.retried == 1)
        ledger.replied("r1")
        #expect(ledger.duplicates == 1)
        ledger.sent("r2")
        ledger.resent("r2")
        #expect(ledger.missing == 1)
    }

    @Test func aRepeatedReplyIsToldFromADifferentOne() {
        var ledger = ReplyLedger()
        ledger.sent("r1")
        ledger.replied("r1", fingerprint: 7)
        ledger.replied("r1", fingerprint: 7)
        #expect(ledger.duplicates == 1 && ledger.differing == 0)
        ledger.replied("r1", fingerprint: 8)
        #expect(ledger.duplicates == 2 && ledger.differing == 1)
    }
}

struct RoomTimelineRepairTests {
    @Test func aGapHistoryFillsIsNotAViolationUnderChaosOnly() {
        var timeline = RoomTimeline()
        timeline.open()
        for seq: UInt64 in [1, 2, 4, 5] { timeline.deliver(seq) }
        #expect(timeline.violations(finalSeq: 5).count == 1)
        #expect(timeline.violations(finalSeq: 5, stored: [1, 2, 3, 4, 5]).isEmpty)
        #expect(timeline.violations(finalSeq: 5, stored: [1, 2, 4, 5]).count == 1)
    }

    @Test func aGapOlderThanTheRingIsNotJudgedAndOneInsideItIs() {
        var timeline = RoomTimeline()
        timeline.open()
        for seq: UInt64 in [1, 3, 4, 6, 7] { timeline.deliver(seq) }
        // History keeps seqs 4... only: seq 2 is beyond it, seq 5 is inside it and missing.
        let violations = timeline.violations(finalSeq: 7, stored: [4, 6, 7], storedFrom: 4)
        #expect(violations == ["period 0: gap, seqs 5...5 missing"])
        #expect(timeline.violations(finalSeq: 7, stored: [4, 5, 6, 7], storedFrom: 4).isEmpty)
        // Without chaos nothing is lost in flight, so a gap is a gap whatever history holds.
        #expect(timeline.violations(finalSeq: 7, storedFrom: 4).count == 2)
    }
}
