/// How a test body reaches the engine.
public enum EngineMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// An `EngineCore` fed requests directly, its publishes recorded (``InMemoryEngine``): no broker,
    /// no sockets, milliseconds per test.
    case inMemory
    /// The whole engine (`ChatEngine`) on a private mosquitto, users as MQTT clients: the wire as
    /// clients see it (IntegrationTests' `EngineHarness`).
    case broker

    public var description: String { rawValue }
}

/// An engine a test body talks to through users, the same way in every ``EngineMode``.
public protocol TestEngine: Sendable {
    /// A user of the engine that hears what is published to its inbox from now on.
    func connectUser(_ id: String, name: String?, admin: Bool) async throws -> any TestUser
}

extension TestEngine {
    /// A user of the engine that hears what is published to its inbox from now on.
    public func user(_ id: String, name: String? = nil, admin: Bool = false) async throws -> any TestUser {
        try await connectUser(id, name: name, admin: admin)
    }
}
