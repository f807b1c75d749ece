/// Everything the engine keeps, as values: what a snapshot holds and a restart rebuilds.
public struct EngineState: Sendable, Equatable {
    public var rooms: [RoomState]
    /// Users banned from every room by a global admin.
    public var globalBans: Set<String>
    /// Replies remembered for retried requests (SPEC §3), so a retry after a restart is still applied once.
    public var replies: [CachedReply]
    /// Last time each user was seen online or away.
    public var lastSeen: [String: Double]
    /// Metadata of stored files.
    public var files: [StoredFile]
    /// Blocker id → the users they block (`chat/users/block`).
    public var blocks: [String: Set<String>]
    /// User id → the devices they registered for push, in registration order.
    public var pushDevices: [String: [PushDevice]]
    /// Pushes not yet accepted by the webhook, oldest first.
    public var pendingPushes: [PendingPush]

    public init(
        rooms: [RoomState] = [], globalBans: Set<String> = [], replies: [CachedReply] = [],
        lastSeen: [String: Double] = [:], files: [StoredFile] = [], blocks: [String: Set<String>] = [:],
        pushDevices: [String: [PushDevice]] = [:], pendingPushes: [PendingPush] = []
    ) {
        self.rooms = rooms
        self.globalBans = globalBans
        self.replies = replies
        self.lastSeen = lastSeen
        self.files = files
        self.blocks = blocks
        self.pushDevices = pushDevices
        self.pendingPushes = pendingPushes
    }
}

/// One remembered reply of a request with a `request_id`.
public struct CachedReply: Sendable, Equatable {
    public var userId: String
    public var requestId: String
    /// The reply's bytes; empty when `compact` holds it.
    public var reply: [UInt8]
    public var expiresAt: Double
    /// The reply as the engine can rebuild it byte for byte (a `message_sent`), instead of `reply`.
    public var compact: CompactReply?

    public init(userId: String, requestId: String, reply: [UInt8], expiresAt: Double, compact: CompactReply? = nil) {
        self.userId = userId
        self.requestId = requestId
        self.reply = reply
        self.expiresAt = expiresAt
        self.compact = compact
    }
}

/// A reply kept as the numbers it is rebuilt from: the posted message's seq and timestamp (the room and
/// request id come from the request key), and the rebuilt reply's length, which the cache's bounds count.
public struct CompactReply: Sendable, Equatable {
    public var seq: UInt64
    public var timestamp: Double
    public var replyLength: Int

    public init(seq: UInt64, timestamp: Double, replyLength: Int) {
        self.seq = seq
        self.timestamp = timestamp
        self.replyLength = replyLength
    }
}

/// A file kept under the data directory, once per content hash.
public struct StoredFile: Sendable, Equatable {
    public var info: FileInfo
    public var uploaderId: String
    public var uploadedAt: Double
    /// Rooms where it was uploaded or shared: their members may download it.
    public var roomIds: Set<String>

    public init(info: FileInfo, uploaderId: String, uploadedAt: Double, roomIds: Set<String>) {
        self.info = info
        self.uploaderId = uploaderId
        self.uploadedAt = uploadedAt
        self.roomIds = roomIds
    }
}

/// One journal record: a change to a room or to engine-wide state.
public enum JournalEntry: Sendable, Equatable {
    case room(id: String, RoomChange)
    case globalBan(userId: String, banned: Bool)
    case reply(CachedReply)
    case lastSeen(userId: String, at: Double)
    case file(StoredFile)
    /// A file no message references any more; its blob goes with it.
    case fileRemoved(fileId: String)
    /// `blockerId` blocked (or, with `blocked` false, unblocked) `userId`.
    case block(blockerId: String, userId: String, blocked: Bool)
    /// `userId` registered `device` for push (or registered it again: it replaces the one with its id).
    case pushDevice(userId: String, PushDevice)
    /// `userId` unregistered the device with `deviceId`.
    case pushDeviceRemoved(userId: String, deviceId: String)
    /// A push was queued for the webhook.
    case pushQueued(PendingPush)
    /// A push left the queue: delivered, given up after its retry window, or dropped by the queue's bound.
    case pushFinished(id: String)
}
