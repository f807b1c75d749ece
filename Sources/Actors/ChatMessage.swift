/// One stored message of a room's timeline.
public struct ChatMessage: Sendable, Equatable {
    /// Globally unique id: `<room id>:<seq>`, so the room is known without an index lookup.
    public var id: String
    public var roomId: String
    /// Per-room sequence number, strictly increasing, never reused.
    public var seq: UInt64
    public var senderId: String
    public var senderName: String
    public var content: String
    public var kind: MessageKind
    /// Unix seconds, fractional.
    public var timestamp: Double
    public var replyTo: String?
    /// Id of the thread's root message, for replies in a thread.
    public var threadId: String?
    public var replyCount: Int
    /// Emoji → user ids in the order they reacted; the emoji order is the order of first reaction.
    public var reactions: [Reaction]
    public var editedAt: Double?
    public var deleted: Bool
    public var flagged: Bool
    public var file: FileInfo?
    /// Recipient of a private message.
    public var targetId: String?

    public init(
        roomId: String, seq: UInt64, senderId: String, senderName: String, content: String,
        kind: MessageKind, timestamp: Double, replyTo: String? = nil, threadId: String? = nil,
        replyCount: Int = 0, reactions: [Reaction] = [], editedAt: Double? = nil, deleted: Bool = false,
        flagged: Bool = false, file: FileInfo? = nil, targetId: String? = nil
    ) {
        self.id = ChatMessage.id(roomId: roomId, seq: seq)
        self.roomId = roomId
        self.seq = seq
        self.senderId = senderId
        self.senderName = senderName
        self.content = content
        self.kind = kind
        self.timestamp = timestamp
        self.replyTo = replyTo
        self.threadId = threadId
        self.replyCount = replyCount
        self.reactions = reactions
        self.editedAt = editedAt
        self.deleted = deleted
        self.flagged = flagged
        self.file = file
        self.targetId = targetId
    }

    public var edited: Bool { editedAt != nil }
    public var isPrivate: Bool { targetId != nil }

    /// The id of message `seq` in room `roomId`.
    public static func id(roomId: String, seq: UInt64) -> String { "\(roomId):\(seq)" }

    /// Splits a message id into its room id and seq; nil when it is not of that shape.
    public static func parseID(_ id: some StringProtocol) -> (roomId: Substring, seq: UInt64)? {
        guard let colon = id.lastIndex(of: ":") else { return nil }
        let room = id[id.startIndex..<colon]
        guard !room.isEmpty, let seq = UInt64(id[id.index(after: colon)...]) else { return nil }
        return (Substring(room), seq)
    }
}

/// The kind of a chat message, which is also its event `type`.
public enum MessageKind: String, Sendable, CaseIterable {
    case text, image, file, system
}

/// The users who reacted to a message with one emoji.
public struct Reaction: Sendable, Equatable {
    public var emoji: String
    public var userIds: [String]

    public init(emoji: String, userIds: [String]) {
        self.emoji = emoji
        self.userIds = userIds
    }
}

/// Metadata of a shared file, carried by `file` and `image` messages.
public struct FileInfo: Sendable, Equatable {
    public var fileId: String
    public var name: String
    public var mime: String
    public var size: Int
    public var sha256: String

    public init(fileId: String, name: String, mime: String, size: Int, sha256: String) {
        self.fileId = fileId
        self.name = name
        self.mime = mime
        self.size = size
        self.sha256 = sha256
    }
}
