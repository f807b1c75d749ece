import BenchCore
import Foundation
import Histogram
import Wire

/// One load run: sessions, setup for the mode, timed sending, drain and the result.
final class LoadRun: Sendable {
    let options: LoadCommand
    let tag = String(UInt32.random(in: 0x1000...0xFFFF), radix: 16)
    let signer: TokenSigner

    init(command: LoadCommand) throws {
        options = command
        signer = try TokenSigner(secret: command.broker.jwtSecret)
    }

    func userId(room: Int, member: Int) -> String { "lb\(tag)-r\(room)-m\(member)" }

    func token(for user: String) -> String {
        signer.sign(TokenClaims(sub: user, exp: Date().timeIntervalSince1970 + 3600, name: user))
    }

    func run() async throws -> LoadResult {
        let o = options
        let sessions = try await connectAll()
        defer { for row in sessions { for member in row { member.session.disconnect() } } }
        let roomTopics = try await prepareRooms(sessions)
        try? await Task.sleep(for: .milliseconds(500)) // let setup events (joins, history) pass

        let start = BenchClock.micros() + 50_000
        let windowStart = start + UInt64(o.warmup * 1_000_000)
        let end = windowStart + UInt64(o.duration * 1_000_000)
        for row in sessions { for member in row { member.receiver.window.withLock { $0 = windowStart..<end } } }

        let senderCount = o.rooms * o.senders
        let interval: UInt64? = o.rate > 0 ? UInt64(Double(senderCount) / o.rate * 1_000_000) : nil
        let watchdog = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
                for row in sessions { for member in row { member.receiver.ownWindow?.unstick(after: 1_000_000) } }
            }
        }
        let stopper = Task {
            await BenchClock.sleep(until: end)
            for row in sessions { for member in row { member.receiver.ownWindow?.stop() } }
        }
        let sent = await withTaskGroup(of: LoadSender.Outcome.self) { group in
            for room in 0..<o.rooms {
                for s in 0..<o.senders {
                    let sender = LoadSender(
                        index: room * o.senders + s, mode: o.mode, qos: o.senderQos, member: sessions[room][s],
                        roomTopic: roomTopics[room], recipients: sessions[room].map(\.session.userId), requestIds: o.requestIds)
                    let offset = interval.map { $0 * UInt64(room * o.senders + s) / UInt64(senderCount) } ?? 0
                    group.addTask { await sender.run(start: start + offset, window: windowStart..<end, interval: interval) }
                }
            }
            return await group.reduce(into: [LoadSender.Outcome]()) { $0.append($1) }
        }
        watchdog.cancel()
        _ = await stopper.value

        let expected = sent.reduce(0) { $0 + $1.sent } * o.members
        await drain(sessions, expected: expected, until: end + 5_000_000)

        var totals = DeliveryTracker()
        var latency = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var measured = 0
        for row in sessions {
            for member in row {
                member.receiver.stats.withLock { stats in
                    totals.absorbCounts(stats.tracker)
                    latency.add(stats.latency)
                    measured += stats.measured
                }
            }
        }
        return LoadResult(
            mode: o.mode.rawValue, rooms: o.rooms, members: o.members, senders: o.senders, qos: Int(o.qos), publishQos: Int(o.senderQos),
            requestIds: o.requestIds && o.mode == .engine, offeredRate: o.rate, achievedRate: Double(sent.reduce(0) { $0 + $1.sentInWindow }) / o.duration,
            deliveriesPerSecond: Double(measured) / o.duration, latency: latency,
            lost: max(0, expected - totals.unique), duplicates: totals.duplicates, reordered: totals.reordered,
            duration: o.duration)
    }

    /// Waits until every expected delivery arrived or the deadline passed.
    private func drain(_ sessions: [[LoadMember]], expected: Int, until deadline: UInt64) async {
        while BenchClock.micros() < deadline {
            let unique = sessions.joined().reduce(0) { sum, member in sum + member.receiver.stats.withLock { $0.tracker.unique } }
            if unique >= expected { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
