/// How a room's events reach its members (`--fanout`).
public enum Fanout: String, Sendable, CaseIterable {
    /// One publish per member, to `chat/user/{id}/messages`: works on any broker.
    case inbox
    /// One publish per event, to the room's topic `chat/room/{name}/events`, whose name only members are
    /// told; the broker fans it out. Safe only on a broker that refuses wildcard subscriptions to room
    /// topics (the shipped dynamic security rules).
    case roomTopic = "room-topic"
}
