import BenchCore
import Wire

/// One small function per operation kind; each tolerates errors (they are counted by `request`).
extension StressUser {
    func perform(_ op: StressOp, rng: inout SplitMix64, maxRooms: Int) async {
        switch op {
        case .create: await create(rng: &rng, maxRooms: maxRooms)
        case .join: await join(rng: &rng)
        case .leave: await leave(rng: &rng)
        case .message: await message(rng: &rng)
        case .history: await history(rng: &rng)
        case .list: await list(rng: &rng)
        case .info: await info(rng: &rng)
        case .dm: await directMessage(rng: &rng)
        case .react: await react(rng: &rng)
        case .edit: await edit(rng: &rng)
        case .delete: await delete(rng: &rng)
        case .typing: await typing(rng: &rng)
        case .presence: await presence(rng: &rng)
        case .reply: await reply(rng: &rng)
        case .sync: await sync()
        case .block: await block(rng: &rng)
        }
    }

    /// A room this user is a member of (direct rooms excluded), if any.
    func memberRoom(rng: inout SplitMix64) -> String? {
        state.withLock { $0.memberOf.filter { !$0.hasPrefix("private_") }.randomElement(using: &rng) }
    }

    func create(rng: inout SplitMix64, maxRooms: Int) async {
        guard world.roomCount < maxRooms else { return await join(rng: &rng) }
        state.withLock { $0.creating = true }
        let reply = await request(.create, "chat/rooms/create", ["name": .string("stress \(id) \(rng.next() % 1000)")])
        state.withLock { $0.creating = false }
        if let roomId = reply?["room_id"]?.stringValue { world.addRoom(roomId, creator: id) }
    }

    func join(rng: inout SplitMix64) async {
        guard let roomId = world.randomRoom(using: &rng) else { return }
        // Open the period before publishing: the join's own events may beat the reply.
        let wasMember = state.withLock { state -> Bool in
            if !state.memberOf.contains(roomId) { state.timelines[roomId, default: RoomTimeline()].open() }
            return state.memberOf.contains(roomId)
        }
        let reply = await request(.join, "chat/rooms/join/\(roomId)")
        if reply == nil { markUncertain(roomId) }
        if retries > 0 && !wasMember && reply?.replyStatus == "already_member" { reapplied("join", roomId) }
    }

    /// A membership request that got no reply at all leaves the room's member set unknown, so its
    /// member-count check skips it.
    private func markUncertain(_ roomId: String) {
        world.withRoom(roomId) { $0.uncertain = true }
    }

    /// Under chaos, a join answered `already_member` (a leave answered `not_member`) by a user who was not
    /// (was) a member: the request was applied before a crash and its retry, or the broker's redelivery,
    /// applied it again instead of getting the reply rebuilt from the change (PROTOCOL.md §1.10). Unless an
    /// earlier membership request in the room went unanswered: then the user's own view may be stale.
    private func reapplied(_ operation: String, _ roomId: String) {
        var stale = false
        world.withRoom(roomId) { room in
            stale = room.uncertain
            room.uncertain = true
        }
        if !stale { world.violation("room \(roomId): \(id)'s \(operation) was applied twice (its first reply was lost in a crash)") }
    }

    func leave(rng: inout SplitMix64) async {
        guard let roomId = memberRoom(rng: &rng) else { return }
        let reply = await request(.leave, "chat/rooms/leave/\(roomId)")
        if reply == nil { markUncertain(roomId) }
        if retries > 0 && reply?.replyStatus == "error:not_member" { reapplied("leave", roomId) }
    }

    func message(rng: inout SplitMix64) async {
        guard let roomId = memberRoom(rng: &rng) else { return await join(rng: &rng) }
        let content = "stress \(id) \(rng.next() % 1_000_000)"
        let reply = await request(.message, "chat/message/\(roomId)", ["content": .string(content)])
        guard reply?["status"]?.stringValue == "message_sent", let seq = reply?["seq"]?.intValue,
              let messageId = reply?["message_id"]?.stringValue else { return }
        world.withRoom(roomId) { $0.audit.acknowledged[UInt64(seq)] = .init(id: messageId, content: content) }
        state.withLock { $0.ownMessages.append((roomId, messageId)) }
    }

    func history(rng: inout SplitMix64) async {
        guard let roomId = memberRoom(rng: &rng) else { return }
        let reply = await request(.history, "chat/history/\(roomId)", ["limit": .number(Double(Int.random(in: 1...100, using: &rng)))])
        let seqs = reply?["messages"]?.arrayValue?.compactMap { $0["seq"]?.intValue } ?? []
        if zip(seqs, seqs.dropFirst()).contains(where: { $0 <= $1 }) {
            world.violation("history of \(roomId) not strictly newest first: \(seqs.prefix(10))")
        }
    }

    func list(rng: inout SplitMix64) async {
        let scope = ["public", "mine", nil].randomElement(using: &rng)!
        _ = await request(.list, "chat/rooms/list", scope.map { ["scope": .string($0)] } ?? [:])
    }

    func info(rng: inout SplitMix64) async {
        guard let roomId = world.randomRoom(using: &rng) else { return }
        _ = await request(.info, "chat/rooms/\(roomId)/info")
    }

    // MARK: Routes being built (SPEC §5)

    func directMessage(rng: inout SplitMix64) async {
        guard let peer = peers.filter({ $0 != id }).randomElement(using: &rng) else { return }
        // A block confirmed before sending, and in force until the reply (no unblock sent meanwhile: it
        // could overtake this message), must stop it.
        let before = world.blocks(peer, id)
        let reply = await request(.dm, "chat/private/\(peer)", ["content": .string("dm \(id) \(rng.next() % 1000)")])
        let after = world.blocks(peer, id)
        let heldThroughout = before.blocked && after.blocked && before.unblocks == after.unblocks
        if heldThroughout, reply?["status"]?.stringValue == "private_message_sent" {
            world.violation("\(id) reached \(peer) by DM while \(peer) blocked them")
        }
    }

    /// Blocks a peer, or unblocks one this user blocks. The world learns of a block once it is confirmed
    /// and forgets it before the unblock is sent, so a DM checked against it is never in doubt.
    func block(rng: inout SplitMix64) async {
        guard let peer = peers.filter({ $0 != id }).randomElement(using: &rng) else { return }
        if world.blocks(id, peer).blocked {
            world.setBlock(id, peer, false)
            _ = await request(.block, "chat/users/block/\(peer)", ["unblock": true])
        } else {
            let reply = await request(.block, "chat/users/block/\(peer)")
            if reply?["status"]?.stringValue == "blocked" { world.setBlock(id, peer, true) }
        }
    }

    func react(rng: inout SplitMix64) async {
        guard let target = state.withLock({ $0.seenMessages.randomElement(using: &rng) }) else { return }
        let fields: [String: JSONValue] = ["emoji": .string(["👍", "🎉", "ok"].randomElement(using: &rng)!), "remove": .bool(Bool.random(using: &rng))]
        _ = await request(.react, "chat/message/\(target.id)/react", fields)
    }

    func edit(rng: inout SplitMix64) async {
        guard let target = state.withLock({ $0.ownMessages.randomElement(using: &rng) }) else { return }
        let reply = await request(.edit, "chat/message/\(target.id)/edit", ["content": .string("edited \(rng.next() % 1000)")])
        if reply?["status"]?.stringValue != "error" { forgetContent(of: target) }
    }

    func delete(rng: inout SplitMix64) async {
        guard let target = state.withLock({ $0.ownMessages.randomElement(using: &rng) }) else { return }
        let reply = await request(.delete, "chat/message/\(target.id)/delete")
        if reply?["status"]?.stringValue != "error" { forgetContent(of: target) }
    }

    /// An edited or deleted message keeps its id and seq, not its content.
    func forgetContent(of target: (room: String, id: String)) {
        world.withRoom(target.room) { room in
            for (seq, entry) in room.audit.acknowledged where entry.id == target.id { room.audit.acknowledged[seq]?.content = nil }
        }
    }

    func typing(rng: inout SplitMix64) async {
        guard let roomId = memberRoom(rng: &rng) else { return }
        _ = await request(.typing, "chat/typing/\(roomId)/\(Bool.random(using: &rng) ? "start" : "stop")")
    }

    /// Sets a random status on one of three devices; the audit checks the user's combined status.
    func presence(rng: inout SplitMix64) async {
        let status = ["online", "away", "offline"].randomElement(using: &rng)!
        let device = ["phone", "laptop", "tablet"].randomElement(using: &rng)!
        let reply = await request(.presence, "chat/presence/\(status)", ["device": .string(device)])
        if reply?["status"]?.stringValue == status { state.withLock { $0.devices[device] = status } }
    }

    func reply(rng: inout SplitMix64) async {
        guard let target = state.withLock({ $0.seenMessages.randomElement(using: &rng) }) else { return }
        _ = await request(.reply, "chat/message/\(target.id)/reply", ["content": .string("re \(rng.next() % 1000)")])
    }

    /// Syncs from what the last sync left, 20 messages a room, and pages forward where there is more.
    /// Returns whether the sync and its paging all got answers.
    @discardableResult
    func sync() async -> Bool {
        var paging: [(roomId: String, after: Int)] = []
        var from: String?
        // A large catch-up comes in parts: each starts at the room the last one could not finish.
        for _ in 0..<20 {
            var fields: [String: JSONValue] = ["rooms": state.withLock { $0.synced.positions }, "limit_per_room": 20]
            if let from { fields["from_room"] = .string(from) }
            guard let reply = await request(.sync, "chat/sync", fields), reply["status"]?.stringValue == "success" else {
                return false
            }
            paging += state.withLock { $0.synced.apply(sync: reply) }
            from = reply["next_room"]?.stringValue
            if from == nil { break }
        }
        var complete = true
        for (roomId, after) in paging {
            var next: Int? = after
            var pages = 0
            while let seq = next, pages < 20 {
                pages += 1
                guard let page = await request(.sync, "chat/history/\(roomId)", ["after": .number(Double(seq)), "limit": 100]),
                      page["status"]?.stringValue == "success"
                else {
                    complete = false
                    break
                }
                next = state.withLock { $0.synced.apply(page: page, roomId: roomId) }
            }
        }
        return complete
    }
}
