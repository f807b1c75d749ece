/// How much one user, and all users together, can make the engine hold: memory, disk and sockets.
///
/// Every bound a user could otherwise push without limit lives here, with its default, so SECURITY.md can
/// list them in one place. A bound of 0 never means "off": each one caps something that costs bytes.
public struct UserLimits: Sendable {
    // MARK: Rooms
    /// Rooms (public or private, not DMs) one user has created that still exist.
    public var roomsCreatedPerUser: Int
    /// Direct-message rooms one user may open with users who never answered.
    public var directRoomsOpenedPerUser: Int

    // MARK: Replies remembered for retries
    /// Bytes of remembered replies per user (oldest forgotten first).
    public var replyCacheBytesPerUser: Int
    /// Bytes of remembered replies for all users together.
    public var replyCacheBytesTotal: Int

    // MARK: Files
    /// Bytes of stored files one user has uploaded.
    public var storedBytesPerUser: Int
    /// Bytes of incomplete uploads held in memory for all users together.
    public var pendingUploadBytesTotal: Int
    /// Free space the data directory must keep; uploads that would go below it are refused.
    public var minimumFreeDiskBytes: Int

    // MARK: Sockets and reactions
    /// Open WebSocket connections of one user.
    public var socketsPerUser: Int
    /// Open WebSocket connections in total.
    public var socketsTotal: Int
    /// Distinct emoji on one message.
    public var reactionsPerMessage: Int
    /// Users tracked by the rate limiter at once.
    public var rateLimitBuckets: Int

    // MARK: Users and devices
    /// Users one user may block (`chat/users/block`).
    public var blockedUsersPerUser: Int
    /// Presence devices kept per user; a new one beyond it replaces the least recently heard.
    public var devicesPerUser: Int
    /// Pending invitations one room holds.
    public var invitationsPerRoom: Int
    /// Devices one user may register for push (`chat/push/register`).
    public var pushDevicesPerUser: Int

    /// - Parameters: see the properties.
    public init(
        roomsCreatedPerUser: Int = 100,
        directRoomsOpenedPerUser: Int = 200,
        replyCacheBytesPerUser: Int = 1 << 20,
        replyCacheBytesTotal: Int = 64 << 20,
        storedBytesPerUser: Int = 1 << 30,
        pendingUploadBytesTotal: Int = 256 << 20,
        minimumFreeDiskBytes: Int = 256 << 20,
        socketsPerUser: Int = 16,
        socketsTotal: Int = 10_000,
        reactionsPerMessage: Int = 50,
        rateLimitBuckets: Int = 100_000,
        blockedUsersPerUser: Int = 1000,
        devicesPerUser: Int = 32,
        invitationsPerRoom: Int = 1000,
        pushDevicesPerUser: Int = 10
    ) {
        self.roomsCreatedPerUser = roomsCreatedPerUser
        self.directRoomsOpenedPerUser = directRoomsOpenedPerUser
        self.replyCacheBytesPerUser = replyCacheBytesPerUser
        self.replyCacheBytesTotal = replyCacheBytesTotal
        self.storedBytesPerUser = storedBytesPerUser
        self.pendingUploadBytesTotal = pendingUploadBytesTotal
        self.minimumFreeDiskBytes = minimumFreeDiskBytes
        self.socketsPerUser = socketsPerUser
        self.socketsTotal = socketsTotal
        self.reactionsPerMessage = reactionsPerMessage
        self.rateLimitBuckets = rateLimitBuckets
        self.blockedUsersPerUser = blockedUsersPerUser
        self.devicesPerUser = devicesPerUser
        self.invitationsPerRoom = invitationsPerRoom
        self.pushDevicesPerUser = pushDevicesPerUser
    }
}
