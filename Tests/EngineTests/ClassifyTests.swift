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
        }
        return router
    }()

    func classify(_ topic: String, _ identifier: UInt32) -> (match: RouteMatch?, laneKey: String)? {
        ChatEngine.classify(MQTTMessage(topic: topic, payload: [], subscriptionIdentifiers: [identifier]), router: router)
    }

    @Test func onlyTheCopyForTheChosenRouteIsHandled() {
        // rooms/join/info matches route 0 (join) and route 1 (info); the router picks join.
        #expect(classify("chat/rooms/join/info", 1)?.1 == "info")
        #expect(classify("chat/rooms/join/info", 2) == nil)
        #expect(classify("chat/rooms/join/info", ChatEngine.catchAllIdentifier) == nil)
    }

    @Test func theCatchAllAnswersUnknownTopics() {
        let unknown = classify("chat/nothing", ChatEngine.catchAllIdentifier)
        #expect(unknown != nil)
        #expect(unknown?.0 == nil)
        #expect(unknown?.1 == "chat/nothing")
    }

    @Test func inboxTopicsAreIgnored() {
        #expect(classify("chat/user/bob/messages", ChatEngine.catchAllIdentifier) == nil)
    }
}
