import Actors

extension ChatStore {
    /// A human summary of a snapshot file, for `chat-engine snapshot inspect FILE`.
    ///
    /// Shows the header, sizes (file, compressed, body, each section) and counts per kind. Throws
    /// what ``verify(path:limit:)`` would, after nothing has been printed: a damaged file has no summary.
    public static func inspect(path: String, limit: Int = Options().maxSnapshotBodySize) throws -> String {
        let bytes = try FileIO.readFile(path)
        let (header, body) = try SnapshotFile.decode(bytes, limit: limit)
        let spans = try SnapshotSection.scan(body)
        let state = try EngineStateCodec.decode(body)

        var members = 0, admins = 0, invited = 0, banned = 0, muted = 0, readMarks = 0
        var messages = 0, reactions = 0, attachments = 0, deleted = 0
        for room in state.rooms {
            members += room.members.count
            admins += room.admins.count
            invited += room.invited.count
            banned += room.banned.count
            muted += room.muted.count
            readMarks += room.readMarks.count
            messages += room.ring.count
            for message in room.ring {
                reactions += message.reactions.reduce(0) { $0 + $1.userIds.count }
                if message.file != nil { attachments += 1 }
                if message.deleted { deleted += 1 }
            }
        }
        let created = SnapshotFile.unixNow() - header.createdAt
        var lines = [
            "file:            \(path)",
            "format version:  \(header.formatVersion) (body version \(EngineStateCodec.bodyVersion) or older)",
            "engine version:  \(header.engineVersion.isEmpty ? "-" : header.engineVersion)",
            "created at:      \(header.createdAt) (Unix s, \(Int(created)) s ago)",
            "covered LSN:     \(header.coveredLSN)",
            "sizes:           file \(bytes.count) B, compressed \(header.compressedSize) B, body \(header.bodySize) B"
                + " (ratio \(ratio(header.bodySize, header.compressedSize)))",
            "sections:",
        ]
        for span in spans {
            lines.append("  \((span.section.map { "\($0)" } ?? "unknown tag \(span.tag)").padding(12)) \(span.length) B")
        }
        lines += [
            "counts:",
            "  rooms         \(state.rooms.count)",
            "  members       \(members) (admins \(admins), invited \(invited), banned \(banned), muted \(muted))",
            "  read marks    \(readMarks)",
            "  messages      \(messages) (deleted \(deleted), with a file \(attachments))",
            "  reactions     \(reactions)",
            "  files         \(state.files.count)",
            "  replies       \(state.replies.count)",
            "  global bans   \(state.globalBans.count)",
            "  last seen     \(state.lastSeen.count)",
            "  blocks        \(state.blocks.values.reduce(0) { $0 + $1.count })",
            "  push devices  \(state.pushDevices.values.reduce(0) { $0 + $1.count })",
            "  pending push  \(state.pendingPushes.count)",
        ]
        return lines.joined(separator: "\n")
    }

    /// Fully checks a snapshot file (header and body checksums, inflation, complete decode); throws
    /// the first problem found. For `chat-engine snapshot verify FILE` (exit code 0 when it returns).
    public static func verify(path: String, limit: Int = Options().maxSnapshotBodySize) throws {
        let (_, body) = try SnapshotFile.decode(FileIO.readFile(path), limit: limit)
        _ = try EngineStateCodec.decode(body)
    }

    private static func ratio(_ body: UInt64, _ compressed: UInt64) -> String {
        guard compressed > 0 else { return "-" }
        return "\((Double(body) / Double(compressed) * 10).rounded() / 10)x"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
