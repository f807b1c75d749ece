import Actors
import Foundation
import Logging
import Synchronization

/// The engine's shared parts, handed to every handler.
public final class ChatServices: Sendable {
    public let configuration: EngineConfiguration
    public let registry = RoomRegistry()
    public let index = MembershipIndex()
    /// Public rooms in id order and per-user room counts, kept by the room actors.
    public let directory = RoomDirectory()
    public let presence = PresenceBoard()
    public let delivery: Delivery
    public let logger: Logger
    /// Presence and typing expiries, mutes' ends: one sleeper for every deadline.
    public let scheduler: ExpiryScheduler
    /// Users banned from every room.
    public let globalBans = Mutex<Set<String>>([])
    /// Who blocks whom (`chat/users/block`).
    public let blocks = BlockList()
    /// Devices registered for push, and the webhook's queue.
    public let push: PushCenter

    init(configuration: EngineConfiguration, delivery: Delivery, push: PushCenter, logger: Logger) {
        self.configuration = configuration
        self.delivery = delivery
        self.push = push
        self.logger = logger
        self.scheduler = ExpiryScheduler(clock: { Date().timeIntervalSince1970 })
    }

    /// Unix seconds, fractional.
    public func now() -> Double { Date().timeIntervalSince1970 }

    /// Sends a notification (a serialized JSON object) to `userId`'s notifications topic, and when they
    /// are not online, to the push webhook's queue.
    func notify(_ payload: [UInt8], to userId: String, now: Double) {
        delivery.notify(payload, to: [userId])
        guard presence.status(of: userId, now: now) != .online else { return }
        push.offer(payload, to: userId, now: now)
    }

    /// Refuses users banned from every room.
    func requireNotGloballyBanned(_ userId: String) throws(ChatError) {
        if globalBans.withLock({ $0.contains(userId) }) { throw ChatError(.banned, "you are banned") }
    }

    /// The room with `id`, or `not_found`; for a direct room id, `not_member`, which is also what a
    /// stranger to an existing one gets: who has written to whom is nobody else's business.
    func room(_ id: String) throws(ChatError) -> RoomActor {
        guard let room = registry.room(id) else { throw Self.missingRoom(id, or: ChatError.notFound("room \(id)")) }
        return room
    }

    /// The room a message id points into, and the message's seq, or `not_found` (`not_member` for a
    /// direct room id, as in ``room(_:)``).
    func room(ofMessage messageId: String) throws(ChatError) -> (room: RoomActor, seq: UInt64) {
        guard let parsed = ChatMessage.parseID(messageId) else { throw ChatError.notFound("message \(messageId)") }
        guard let room = registry.room(String(parsed.roomId)) else {
            throw Self.missingRoom(parsed.roomId, or: ChatError.notFound("message \(messageId)"))
        }
        return (room, parsed.seq)
    }

    /// The room with `id`, as ``room(_:)``, for a request of `user`. A stranger to a direct room gets
    /// `not_member` here, before anything else about the request is checked, so that no answer, not even
    /// a validation error, tells whether the conversation exists. Global admins pass: the room decides.
    func room(_ id: String, for user: Identity) throws(ChatError) -> RoomActor {
        let room = try room(id)
        try requireDirectRoomMember(id, user)
        return room
    }

    /// ``room(ofMessage:)`` with the stranger check of ``room(_:for:)``.
    func room(ofMessage messageId: String, for user: Identity) throws(ChatError) -> (room: RoomActor, seq: UInt64) {
        let found = try room(ofMessage: messageId)
        try requireDirectRoomMember(found.room.id, user)
        return found
    }

    private func requireDirectRoomMember(_ roomId: String, _ user: Identity) throws(ChatError) {
        guard DirectRoomID.isDirect(roomId), !user.isAdmin, !index.rooms(of: user.userId).contains(roomId) else { return }
        throw ChatError.notMember
    }

    private static func missingRoom(_ id: some StringProtocol, or error: ChatError) -> ChatError {
        DirectRoomID.isDirect(id) ? ChatError.notMember : error
    }

    /// Creates a room from its `.created` change, journaling it first; the caller registers it under the
    /// registry's lock (`RoomRegistry.room(_:orCreate:)`), so no snapshot sees the record without the room.
    func createRoom(_ info: RoomInfo, creator: Member) throws(ChatError) -> RoomActor {
        let change = RoomChange.created(info, creator: creator)
        let lsn = try delivery.record(change, roomId: info.id)
        guard let state = RoomState.created(by: change, lsn: lsn, ringCapacity: configuration.ringCapacity) else {
            throw ChatError(.internal, "room could not be created")
        }
        return RoomActor(state: state, effects: delivery, index: index, directory: directory)
    }
}
