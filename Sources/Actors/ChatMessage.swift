/// One stored message of a room's timeline.
///
/// Memory layout: the common message (text, no reply, thread, edit, reaction, file or recipient) is kept
/// small: the fields every message has are stored inline (96 bytes), the rarely set ones live in one
/// optional copy-on-write box, and `id` is derived from `roomId` and `seq` unless it was set to something
/// else. Rings do not store these values but a smaller form of them (see ``MessageRing``).
public struct ChatMessage: Sendable, Equatable {
    public var roomId: String
    /// Per-room sequence number, strictly increasing, never reused.
    public var seq: UInt64
    public var senderId: String
    public var senderName: String
    public var content: String
    /// Unix seconds, fractional.
    public var timestamp: Double
    public var kind: MessageKind
    public var deleted: Bool
    public var flagged: Bool
    /// The rarely set fields; nil while all of them have their defaults. Shared with ``MessageRing``'s
    /// slots, never written while shared.
    var extras: ExtrasBox?

    /// Globally unique id: `<room id>:<seq>`, so the room is known without an index lookup.
    public var id: String {
        get { extras?.value.customId ?? ChatMessage.id(roomId: roomId, seq: seq) }
        set {
            let custom = newValue == ChatMessage.id(roomId: roomId, seq: seq) ? nil : newValue
            modifyExtras { $0.customId = custom }
        }
    }

    public var replyTo: String? {
        get { extras?.value.replyTo }
        set { modifyExtras { $0.replyTo = newValue } }
    }

    /// Id of the thread's root message, for replies in a thread.
    public var threadId: String? {
        get { extras?.value.threadId }
        set { modifyExtras { $0.threadId = newValue } }
    }

    public var replyCount: Int {
        get { extras?.value.replyCount ?? 0 }
        set { modifyExtras { $0.replyCount = newValue } }
    }

    /// Emoji → user ids in the order they reacted; the emoji order is the order of first reaction.
    public var reactions: [Reaction] {
        get { extras?.value.reactions ?? [] }
        set { modifyExtras { $0.reactions = newValue } }
    }

    public var editedAt: Double? {
        get { extras?.value.editedAt }
        set { modifyExtras { $0.editedAt = newValue } }
    }

    public var file: FileInfo? {
        get { extras?.value.file }
        set { modifyExtras { $0.file = newValue } }
    }

    /// Recipient of a private message.
    public var targetId: String? {
        get { extras?.value.targetId }
        set { modifyExtras { $0.targetId = newValue } }
    }

    public init(
        roomId: String, seq: UInt64, senderId: String, senderName: String, content: String,
        kind: MessageKind, timestamp: Double, replyTo: String? = nil, threadId: String? = nil,
        replyCount: Int = 0, reactions: [Reaction] = [], editedAt: Double? = nil, deleted: Bool = false,
        flagged: Bool = false, file: FileInfo? = nil, targetId: String? = nil
    ) {
        let extras = Extras(
            replyTo: replyTo, threadId: threadId, replyCount: replyCount, reactions: reactions, editedAt: editedAt,
            file: file, targetId: targetId, customId: nil)
        self.init(
            roomId: roomId, seq: seq, senderId: senderId, senderName: senderName, content: content, kind: kind,
            timestamp: timestamp, deleted: deleted, flagged: flagged, extras: extras.isDefault ? nil : ExtrasBox(extras))
    }

    /// A message whose rare fields are already boxed: how ``MessageRing`` rebuilds what it stores.
    init(
        roomId: String, seq: UInt64, senderId: String, senderName: String, content: String, kind: MessageKind,
        timestamp: Double, deleted: Bool, flagged: Bool, extras: ExtrasBox?
    ) {
        self.roomId = roomId
        self.seq = seq
        self.senderId = senderId
        self.senderName = senderName
        self.content = content
        self.kind = kind
        self.timestamp = timestamp
        self.deleted = deleted
        self.flagged = flagged
        self.extras = extras
    }

    public var edited: Bool { editedAt != nil }
    public var isPrivate: Bool { targetId != nil }

    public static func == (lhs: ChatMessage, rhs: ChatMessage) -> Bool {
        lhs.seq == rhs.seq && lhs.timestamp == rhs.timestamp && lhs.kind == rhs.kind && lhs.deleted == rhs.deleted
            && lhs.flagged == rhs.flagged && lhs.roomId == rhs.roomId && lhs.senderId == rhs.senderId
            && lhs.senderName == rhs.senderName && lhs.content == rhs.content
            && (lhs.extras === rhs.extras || (lhs.extras?.value ?? Extras()) == (rhs.extras?.value ?? Extras()))
    }

    /// The id of message `seq` in room `roomId`.
    public static func id(roomId: String, seq: UInt64) -> String { "\(roomId):\(seq)" }

    /// Splits a message id into its room id and seq; nil when it is not of that shape.
    public static func parseID(_ id: some StringProtocol) -> (roomId: Substring, seq: UInt64)? {
        guard let colon = id.lastIndex(of: ":") else { return nil }
        let room = id[id.startIndex..<colon]
        guard !room.isEmpty, let seq = UInt64(id[id.index(after: colon)...]) else { return nil }
        return (Substring(room), seq)
    }

    /// Mutates the rare fields, copying the box when it is shared and dropping it when all are default.
    private mutating func modifyExtras(_ body: (inout Extras) -> Void) {
        if extras == nil {
            var value = Extras()
            body(&value)
            if !value.isDefault { extras = ExtrasBox(value) }
            return
        }
        if !isKnownUniquelyReferenced(&extras!) { extras = ExtrasBox(extras!.value) }
        body(&extras!.value)
        if extras!.value.isDefault { extras = nil }
    }

    /// The fields most messages leave at their defaults.
    struct Extras: Sendable, Equatable {
        var replyTo: String?
        var threadId: String?
        var replyCount = 0
        var reactions: [Reaction] = []
        var editedAt: Double?
        var file: FileInfo?
        var targetId: String?
        /// An `id` other than `<roomId>:<seq>` (only from decoding unusual snapshots or tests).
        var customId: String?

        var isDefault: Bool {
            replyTo == nil && threadId == nil && replyCount == 0 && reactions.isEmpty && editedAt == nil
                && file == nil && targetId == nil && customId == nil
        }
    }

    /// Copy-on-write storage of ``Extras``: only mutated through `modifyExtras` after a uniqueness check,
    /// so a shared instance is never written.
    final class ExtrasBox: @unchecked Sendable {
        var value: Extras
        init(_ value: Extras) { self.value = value }
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

extension ChatMessage {
    /// About how many bytes the message takes as JSON: what a reply that carries many messages counts
    /// against its budget.
    public var estimatedJSONBytes: Int {
        var bytes = 400 + content.utf8.count + senderName.utf8.count + senderId.utf8.count + 2 * roomId.utf8.count
        for reaction in reactions { bytes += 8 + reaction.emoji.utf8.count + reaction.userIds.reduce(0) { $0 + $1.utf8.count + 3 } }
        if let file { bytes += 200 + file.name.utf8.count + file.mime.utf8.count }
        return bytes
    }
}
