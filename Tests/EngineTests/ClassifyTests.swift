@testable import Engine
import MQTT
import Testing
import Wire

/// How the engine treats the copies an MQTT 5 broker delivers for overlapping subscriptions.
struct ClassifyTests {
    let router: Router = {
        var router = Router()
        let handler: Route.Handler = { _ in Reply("ok") }
        router.group("chat") { chat in
            chat.on("rooms/join/{room_id}", qos: 1, lane: .parameter("room_id"), handler)
            chat.on("rooms/{room_id}/info", qos: 1, lane: .parameter("room_id"), handler)
            chat.on("rooms/create", qos: 2, lane: .constant("rooms"), handler)
            chat.on("typing/{room_id}/start", qos: 0, lane: .parameter("room_id"), handler)
        }
        return router
    }()

    func classify(_ topic: String, _ identifier: UInt32) -> (match: RouteMatch?, laneKey: String)? {
        MQTTIntake.classify(MQTTMessage(topic: topic, payload: [], subscriptionIdentifiers: [identifier]), router: router)
    }

    @Test func routesAtTheCatchAllsQoSAreServedByTheCatchAllAlone() {
        // rooms/join/info matches join and info (both QoS 1, no subscription of their own): the catch-all's
        // single copy is handled, as the router's pick (join).
        #expect(classify("chat/rooms/join/info", MQTTIntake.catchAllIdentifier)?.laneKey == "info")
        #expect(classify("chat/rooms/join/info", MQTTIntake.catchAllIdentifier)?.match?.route.index == 0)
        let subscribed = MQTTIntake.subscriptions(for: router.routes)
        #expect(subscribed.map(\.filter).contains("chat/rooms/join/+") == false)
        #expect(subscribed.first { $0.filter == "chat/rooms/create" }?.qos == 2)
        #expect(subscribed.first { $0.filter == "chat/typing/+/start" }?.identifier == 4)
    }

    @Test func aRequestQueuedUnderAnEarlierVersionsOwnFilterIsServed() {
        // An earlier version subscribed rooms/join/+ itself (identifier 1); what the broker queued for it
        // while the engine was down arrives with that identifier, and only with it.
        #expect(classify("chat/rooms/join/r1", 1)?.laneKey == "r1")
        #expect(classify("chat/rooms/join/r1", 2) == nil)
    }

    @Test func routesAtAnotherQoSAreServedByTheirOwnCopy() {
        #expect(classify("chat/rooms/create", 3)?.match?.route.index == 2)
        #expect(classify("chat/rooms/create", MQTTIntake.catchAllIdentifier) == nil)
        #expect(classify("chat/typing/r1/start", 4)?.laneKey == "r1")
        #expect(classify("chat/typing/r1/start", MQTTIntake.catchAllIdentifier) == nil)
        // A copy delivered for a route the router does not pick is dropped.
        #expect(classify("chat/typing/r1/start", 3) == nil)
    }

    @Test func catchAllFiltersAreDisjointAndLeaveInboxesOut() {
        let filters = MQTTIntake.catchAllFilters(routeFilters: router.routes.map(\.pattern.filter))
        #expect(filters == ["chat/+", "chat/+/+", "chat/rooms/+/+/#", "chat/typing/+/+/#"])
        #expect(!filters.contains { $0.hasPrefix("chat/user") || $0 == "chat/#" })
    }

    @Test func theCatchAllAnswersUnknownTopics() {
        let unknown = classify("chat/nothing", MQTTIntake.catchAllIdentifier)
        #expect(unknown != nil)
        #expect(unknown?.0 == nil)
        #expect(unknown?.1 == "chat/nothing")
    }

    @Test func inboxTopicsAreIgnored() {
        #expect(classify("chat/user/bob/messages", MQTTIntake.catchAllIdentifier) == nil)
    }
}
