@testable import Engine
import Logging
import Testing

/// A route's place in the table is its subscription identifier, and a persistent session hands an
/// upgraded engine what the broker queued under the identifiers the earlier version used.
struct SubscriptionIdentifierTests {
    /// The routes with filters of their own (QoS 0 and 2) keep the identifiers every earlier version gave
    /// them; new routes are added after them.
    @Test func routesWithFiltersOfTheirOwnKeepTheirIdentifiers() throws {
        var logger = Logger(label: "identifiers")
        logger.logLevel = .critical
        let engine = try ChatEngine(
            configuration: EngineConfiguration(mqttPort: 1, clientID: "identifiers", jwtSecret: Array(String(repeating: "s", count: 32).utf8), dataDirectory: nil),
            logger: logger)
        let identifiers = Dictionary(uniqueKeysWithValues: engine.intake.subscriptions.map { ($0.filter, $0.identifier) })
        let shipped: [String: UInt32] = [
            "chat/rooms/create": 1, "chat/message/+/react": 13, "chat/presence/online": 14, "chat/presence/away": 15,
            "chat/presence/offline": 16, "chat/typing/+/start": 17, "chat/typing/+/stop": 18,
            "chat/admin/rooms/+/moderate": 24, "chat/admin/users/+/mute": 25, "chat/admin/users/+/ban": 26,
            "chat/file/upload/+": 28,
        ]
        for (filter, identifier) in shipped {
            #expect(identifiers[filter] == identifier, "\(filter)")
        }
    }
}
