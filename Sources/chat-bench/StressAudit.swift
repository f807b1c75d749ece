import BenchCore
import Wire

/// The end of a stress run: fetch each room's history and members, then check every invariant.
struct StressAudit {
    let run: StressRun
    let users: [StressUser]

    func report(elapsed: Double) async -> StressReport {
        var violations = run.world.state.withLock { $0.violations }
        let checker = "st\(run.tag)-checker"
        let session = try? BenchSession(userId: checker, token: run.token(for: checker), broker: run.options.broker, qos: 1) { _ in }
        if let session { try? await session.connect() }
        defer { session?.disconnect() }
        let roomIds = run.world.state.withLock { $0.roomOrder }
        // The checker's join is one more message every member must get; let it arrive.
        for roomId in roomIds { _ = await session?.request("chat/rooms/join/\(roomId)", id: "check-join-\(roomId)") }
        try? await Task.sleep(for: .seconds(1))
        // Users who synced catch up once more: what they hold must then equal the rooms' histories.
        var syncers: [StressUser] = []
        if run.enabled.contains(.sync) {
            for user in users where await user.sync() { syncers.append(user) }
        }
        var syncedRooms = 0

        var checked = (deliveries: 0, periods: 0, acknowledged: 0, countSteps: 0, uncertainRooms: 0, outgrown: 0)
        for roomId in roomIds {
            guard let session else { break }
            let (history, complete, problem) = await fetchHistory(roomId, session: session)
            if let problem { violations.append("room \(roomId): history unavailable: \(problem)") }
            let members = await session.request("chat/rooms/\(roomId)/info", id: "check-info-\(roomId)")?["members"]?
                .arrayValue?.compactMap { $0["user_id"]?.stringValue }
            let finalSeq = history.keys.max()
            var room = run.world.state.withLock { $0.rooms[roomId] } ?? .init()
            room.audit.history = history
            room.audit.historyComplete = complete
            violations += room.audit.violations().map { "room \(roomId): \($0)" }
            checked.acknowledged += room.audit.acknowledged.count
            checked.countSteps += room.counts.steps
            if room.uncertain { checked.uncertainRooms += 1 }
            if !room.uncertain {
                violations += room.counts.violations(final: room.members.count).map { "room \(roomId): \($0)" }
                if let members, Set(members.filter { $0 != checker }) != room.members {
                    violations.append("room \(roomId): members \(members.count - 1) per info, \(room.members.count) per replies")
                }
            }
            // Under chaos, and with room topics (a member hears nothing between learning a name and its
            // subscription), a gap must be in history; once a room outgrew its ring, gaps older than the
            // ring cannot be checked that way.
            let fillsFromHistory = run.options.chaos || run.world.state.withLock { $0.roomTopics }
            let stored = fillsFromHistory ? Set(history.keys) : nil
            let storedFrom = fillsFromHistory && room.audit.floor > 0 ? room.audit.floor : nil
            if storedFrom != nil { checked.outgrown += 1 }
            if complete {
                let contents = history.mapValues(\.content)
                for user in syncers {
                    let differences = user.state.withLock { $0.synced.rooms[roomId] == nil ? nil : $0.synced.differences(roomId, history: contents) }
                    guard let differences else { continue }
                    syncedRooms += 1
                    violations += differences.prefix(5).map { "room \(roomId) user \(user.id) after sync: \($0)" }
                }
            }
            for user in users {
                let timeline = user.state.withLock { $0.timelines[roomId] }
                checked.periods += timeline?.periods.count ?? 0
                checked.deliveries += timeline?.periods.reduce(0) { $0 + $1.seqs.count } ?? 0
                violations += (timeline?.violations(finalSeq: finalSeq, stored: stored, storedFrom: storedFrom) ?? [])
                    .map { "room \(roomId) user \(user.id): \($0)" }
            }
        }
        var ledger = (requests: 0, missing: 0, duplicates: 0, differing: 0, unmatched: 0)
        for user in users {
            user.state.withLock { state in
                ledger.requests += state.ledger.requests
                ledger.missing += state.ledger.missing
                ledger.duplicates += state.ledger.duplicates
                ledger.differing += state.ledger.differing
                ledger.unmatched += state.ledger.unmatched
                if state.ledger.missing > 0 { violations.append("\(user.id): no reply to \(state.ledger.missingIds.prefix(5))") }
            }
        }
        // Across a SIGKILL the broker redelivers a request the engine answered but had not acknowledged,
        // and the engine answers it again from its reply cache: the same reply twice (at-least-once, as
        // PROTOCOL.md §1.6 says). Under chaos only a repeat that differs is a violation.
        if run.options.chaos {
            if ledger.differing > 0 { violations.append("\(ledger.differing) repeated replies differ from the first") }
        } else if ledger.duplicates > 0 {
            violations.append("\(ledger.duplicates) duplicate replies")
        }
        if ledger.unmatched > 0 { violations.append("\(ledger.unmatched) replies with an unknown request_id") }
        let outcomes = run.world.state.withLock { $0.outcomes }
        return StressReport(
            users: users.count, rooms: roomIds.count, elapsed: elapsed, requests: ledger.requests,
            missingReplies: ledger.missing, duplicateReplies: ledger.duplicates, outcomes: outcomes,
            restarts: max(0, (run.engine?.starts ?? 1) - 1),
            checked: "\(checked.deliveries) deliveries in \(checked.periods) membership periods, "
                + "\(checked.acknowledged) acknowledged messages, \(checked.countSteps) member_count replies, "
                + "\(syncedRooms) rooms held through sync by \(syncers.count) users"
                + (checked.uncertainRooms > 0 ? " (\(checked.uncertainRooms) rooms skipped: a join or leave never answered)" : "")
                + (checked.outgrown > 0 ? "; \(checked.outgrown) rooms outgrew the ring: gaps older than it not checked" : ""),
            violations: violations)
    }

    /// Pages history newest first until the start (or the ring's 1000).
    private func fetchHistory(_ roomId: String, session: BenchSession) async -> ([UInt64: RoomAudit.Entry], Bool, String?) {
        var entries: [UInt64: RoomAudit.Entry] = [:]
        var before: Int?
        for page in 0..<10 {
            var fields: [String: JSONValue] = ["limit": 100]
            if let before { fields["before"] = .number(Double(before)) }
            let reply = await session.request("chat/history/\(roomId)", fields, id: "check-history-\(roomId)-\(page)")
            guard let reply, reply["status"]?.stringValue == "success" else {
                // A room that is gone (an engine restart without persistence) lost everything it acknowledged:
                // an empty, complete history makes the audit count each acknowledged message as missing.
                return (entries, entries.isEmpty, "page \(page): \(reply?.replyStatus ?? "no reply in 5 s")")
            }
            for message in reply["messages"]?.arrayValue ?? [] {
                guard let seq = message["seq"]?.intValue, let id = message["id"]?.stringValue else { continue }
                entries[UInt64(seq)] = .init(id: id, content: message["content"]?.stringValue)
            }
            guard reply["has_more"]?.boolValue == true, let next = reply["next_before"]?.intValue else { return (entries, true, nil) }
            before = next
        }
        return (entries, false, nil)
    }
}
