import Wire

/// What a stress user holds of its rooms through `sync` and forward paging alone, never through live
/// events: at the end of a run it must equal the engine's history, as a client that never went away sees
/// it (SPEC §10).
struct SyncedRooms: Sendable {
    struct Room: Sendable {
        var lastSeq = 0
        var changeSeq = 0
        /// Seq → content (empty once deleted).
        var contents: [Int: String] = [:]
    }

    var rooms: [String: Room] = [:]

    /// The `rooms` field of the next sync: each room's newest held seq and change number.
    var positions: JSONValue {
        .object(rooms.mapValues { room in
            ["last_seq": .number(Double(room.lastSeq)), "change_seq": .number(Double(room.changeSeq))]
        })
    }

    /// Applies a sync reply, or one part of one; returns the rooms that have more to page forward, with the
    /// seq to page after.
    mutating func apply(sync reply: JSONValue) -> [(roomId: String, after: Int)] {
        for roomId in reply["left"]?.arrayValue?.compactMap(\.stringValue) ?? [] { rooms[roomId] = nil }
        var paging: [(String, Int)] = []
        for entry in reply["rooms"]?.arrayValue ?? [] {
            guard let roomId = entry["room_id"]?.stringValue else { continue }
            let known = rooms[roomId] != nil
            var room = rooms[roomId] ?? Room()
            let firstSeq = entry["first_seq"]?.intValue ?? 0
            if entry["changes_truncated"]?.boolValue == true {
                room.contents = [:]
                room.lastSeq = max(0, firstSeq - 1)
            }
            for message in entry["messages"]?.arrayValue ?? [] {
                guard let seq = message["seq"]?.intValue else { continue }
                room.contents[seq] = message["content"]?.stringValue ?? ""
            }
            // Changes to messages older than what the client holds are none of its business.
            for message in entry["changed"]?.arrayValue ?? [] {
                guard let seq = message["seq"]?.intValue, room.contents[seq] != nil else { continue }
                room.contents[seq] = message["content"]?.stringValue ?? ""
            }
            room.contents = room.contents.filter { $0.key >= firstSeq }
            let newest = room.contents.keys.max() ?? room.lastSeq
            let more = entry["has_more"]?.boolValue == true && (known || entry["changes_truncated"]?.boolValue == true)
            room.lastSeq = more ? max(room.lastSeq, newest) : max(newest, entry["last_seq"]?.intValue ?? newest)
            room.changeSeq = entry["change_seq"]?.intValue ?? room.changeSeq
            rooms[roomId] = room
            if more { paging.append((roomId, room.lastSeq)) }
        }
        return paging
    }

    /// Applies one page of `history` with `after`; returns the seq to page after next, or nil when done.
    mutating func apply(page reply: JSONValue, roomId: String) -> Int? {
        guard var room = rooms[roomId] else { return nil }
        for message in reply["messages"]?.arrayValue ?? [] {
            guard let seq = message["seq"]?.intValue else { continue }
            room.contents[seq] = message["content"]?.stringValue ?? ""
            room.lastSeq = max(room.lastSeq, seq)
        }
        rooms[roomId] = room
        return reply["has_more"]?.boolValue == true ? room.lastSeq : nil
    }

    /// Where the held messages of `roomId` differ from the engine's `history` (seq → content): a message the
    /// engine stores at or after the oldest held seq that is missing or different, or a held one it lacks.
    func differences(_ roomId: String, history: [UInt64: String?]) -> [String] {
        guard let room = rooms[roomId], let oldest = room.contents.keys.min() else { return [] }
        var found: [String] = []
        for (seq, content) in history where Int(seq) >= oldest && Int(seq) <= room.lastSeq {
            if room.contents[Int(seq)] != (content ?? "") { found.append("seq \(seq): held \(room.contents[Int(seq)].map { "'\($0)'" } ?? "nothing"), stored '\(content ?? "")'") }
        }
        for seq in room.contents.keys where history[UInt64(seq)] == nil && seq <= (history.keys.max().map(Int.init) ?? 0) {
            found.append("seq \(seq): held, not stored")
        }
        return found
    }
}
