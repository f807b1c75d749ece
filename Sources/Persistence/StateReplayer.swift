import Actors

/// Applies journal entries to a recovered ``EngineState``, skipping what the state already reflects.
///
/// Room changes are idempotent through each room's `appliedLSN`: a snapshot captures each actor at
/// a slightly different moment after the journal was rotated, so some rooms already hold records
/// the replay will offer again. Engine-wide entries are idempotent by nature: replay applies them
/// in LSN order as upserts, so whatever the snapshot held, the state ends as the last record says.
struct StateReplayer {
    private(set) var state: EngineState
    let ringCapacity: Int
    /// Room changes skipped because the room's `appliedLSN` already covered them.
    private(set) var changesSkipped = 0
    /// Room changes for a room that does not exist (its creation was lost or never journaled).
    private(set) var orphanChanges = 0

    /// Requests with journaled changes and, so far, no journaled reply; in the order they first appear.
    private var unanswered: [ChangeOrigin: UnansweredRequest] = [:]
    private var unansweredOrder: [ChangeOrigin] = []

    private var roomIndex: [String: Int]
    /// Built on first use: most replays carry no reply or file entries.
    private var replyIndex: [ReplyKey: Int]?
    private var fileIndex: [String: Int]?
    /// Ids of pending pushes (built on first use), and of pushes that finished: removed from the queue
    /// once, at the end, instead of one search per record.
    private var pushIds: Set<String>?
    private var finishedPushes: Set<String> = []

    private struct ReplyKey: Hashable {
        var userId: String
        var requestId: String
    }

    init(state: EngineState, ringCapacity: Int) {
        self.state = state
        self.ringCapacity = ringCapacity
        roomIndex = Dictionary(minimumCapacity: state.rooms.count)
        for (index, room) in state.rooms.enumerated() { roomIndex[room.info.id] = index }
    }

    /// Applies one record; `origin` is the request it was made for, when the record names one.
    mutating func apply(_ entry: JournalEntry, origin: ChangeOrigin? = nil, lsn: UInt64) {
        applyEntry(entry, lsn: lsn)
        if let origin { noteUnanswered(origin, entry) }
    }

    private mutating func noteUnanswered(_ origin: ChangeOrigin, _ entry: JournalEntry) {
        var memberCount: Int?
        if case .room(let id, _) = entry, let index = roomIndex[id] { memberCount = state.rooms[index].members.count }
        let change = UnansweredRequest.Change(entry: entry, memberCount: memberCount)
        if unanswered[origin] == nil {
            unansweredOrder.append(origin)
            unanswered[origin] = UnansweredRequest(origin: origin, changes: [change])
        } else {
            unanswered[origin]?.changes.append(change)
        }
    }

    private mutating func applyEntry(_ entry: JournalEntry, lsn: UInt64) {
        switch entry {
        case .room(let id, let change):
            applyRoom(id: id, change, lsn: lsn)
        case .globalBan(let userId, let banned):
            if banned { state.globalBans.insert(userId) } else { state.globalBans.remove(userId) }
        case .reply(let reply):
            unanswered[ChangeOrigin(userId: reply.userId, requestKey: reply.requestId)] = nil
            let key = ReplyKey(userId: reply.userId, requestId: reply.requestId)
            if replyIndex == nil {
                replyIndex = Dictionary(state.replies.enumerated().map { (ReplyKey(userId: $1.userId, requestId: $1.requestId), $0) }) { _, last in last }
            }
            if let index = replyIndex?[key] {
                state.replies[index] = reply
            } else {
                replyIndex?[key] = state.replies.count
                state.replies.append(reply)
            }
        case .lastSeen(let userId, let at):
            state.lastSeen[userId] = at
        case .file(let file):
            if fileIndex == nil {
                fileIndex = Dictionary(state.files.enumerated().map { ($1.info.fileId, $0) }) { _, last in last }
            }
            if let index = fileIndex?[file.info.fileId] {
                state.files[index] = file
            } else {
                fileIndex?[file.info.fileId] = state.files.count
                state.files.append(file)
            }
        case .fileRemoved(let fileId):
            state.files.removeAll { $0.info.fileId == fileId }
            fileIndex = nil
        case .block(let blockerId, let userId, let blocked):
            if blocked {
                state.blocks[blockerId, default: []].insert(userId)
            } else {
                state.blocks[blockerId]?.remove(userId)
                if state.blocks[blockerId]?.isEmpty == true { state.blocks[blockerId] = nil }
            }
        case .pushDevice(let userId, let device):
            var devices = state.pushDevices[userId] ?? []
            devices.removeAll { $0.deviceId == device.deviceId }
            devices.append(device)
            state.pushDevices[userId] = devices
        case .pushDeviceRemoved(let userId, let deviceId):
            state.pushDevices[userId]?.removeAll { $0.deviceId == deviceId }
            if state.pushDevices[userId]?.isEmpty == true { state.pushDevices[userId] = nil }
        case .pushQueued(let push):
            if pushIds == nil { pushIds = Set(state.pendingPushes.map(\.id)) }
            // The snapshot may already hold it (captured after the journal rotated).
            if pushIds?.insert(push.id).inserted == true { state.pendingPushes.append(push) }
        case .pushFinished(let id):
            finishedPushes.insert(id)
        }
    }

    private mutating func applyRoom(id: String, _ change: RoomChange, lsn: UInt64) {
        guard let index = roomIndex[id] else {
            if let room = RoomState.created(by: change, lsn: lsn, ringCapacity: ringCapacity) {
                roomIndex[id] = state.rooms.count
                state.rooms.append(room)
            } else {
                orphanChanges += 1
            }
            return
        }
        guard lsn > state.rooms[index].appliedLSN else {
            changesSkipped += 1
            return
        }
        if case .created = change {
            // The room already exists: a second creation would reset nothing useful.
            changesSkipped += 1
            return
        }
        state.rooms[index].apply(change, lsn: lsn)
    }

    /// Requests whose changes were replayed and whose reply is nowhere: not in the journal, nor in the
    /// snapshot (which holds it when the changes were replayed over a snapshot that already had them).
    var unansweredRequests: [UnansweredRequest] {
        let pending = unansweredOrder.compactMap { unanswered[$0] }
        guard !pending.isEmpty else { return [] }
        let answered = Set(state.replies.map { ChangeOrigin(userId: $0.userId, requestKey: $0.requestId) })
        return pending.filter { !answered.contains($0.origin) }
    }

    /// The final state, without replies that expired before `now`.
    consuming func finish(now: Double) -> EngineState {
        state.replies.removeAll { $0.expiresAt <= now }
        if !finishedPushes.isEmpty { state.pendingPushes.removeAll { finishedPushes.contains($0.id) } }
        return state
    }
}
