@testable import Engine
import Testing

struct RouterTests {
    func makeRouter() -> Router {
        var router = Router()
        let handler: Route.Handler = { _ in Reply("ok") }
        router.group("chat") { chat in
            chat.on("rooms/create", qos: 2, lane: .constant("create"), handler)
            chat.on("rooms/join/{room_id}", qos: 1, lane: .parameter("room_id"), handler)
            chat.on("rooms/{room_id}/info", qos: 1, lane: .parameter("room_id"), handler)
            chat.on("message/{room_id}", qos: 1, lane: .parameter("room_id"), handler)
            chat.on("message/{message_id}/edit", qos: 1, lane: .messageRoom("message_id"), handler)
            chat.group("admin") { admin in
                admin.on("users/{user_id}/ban", qos: 2, lane: .parameter("user_id"), handler)
            }
        }
        return router
    }

    @Test func parametersAreExtractedByName() throws {
        let router = makeRouter()
        let match = try #require(router.match("chat/rooms/r42/info"))
        #expect(match.route.pattern.description == "chat/rooms/{room_id}/info")
        #expect(match.parameter("room_id") == "r42")
        let edit = try #require(router.match("chat/message/room-1:7/edit"))
        #expect(edit.parameter("message_id") == "room-1:7")
        #expect(edit.laneKey == "room-1")
        #expect(router.match("chat/message/room-1")?.parameter("room_id") == "room-1")
    }

    @Test func aLiteralLevelBeatsAParameter() throws {
        let router = makeRouter()
        #expect(router.match("chat/rooms/join/x")?.route.pattern.description == "chat/rooms/join/{room_id}")
        // join/info matches both patterns; the literal `join` wins.
        #expect(router.match("chat/rooms/join/info")?.route.pattern.description == "chat/rooms/join/{room_id}")
        #expect(router.match("chat/rooms/join/info")?.parameter("room_id") == "info")
        // A literal branch that dead-ends falls back to the parameter.
        #expect(router.match("chat/rooms/create/info")?.parameter("room_id") == "create")
    }

    @Test func groupsPrefixAndUnknownTopicsDoNotMatch() {
        let router = makeRouter()
        #expect(router.match("chat/admin/users/bob/ban")?.parameter("user_id") == "bob")
        #expect(router.match("chat/rooms") == nil)
        #expect(router.match("chat/rooms/join/") == nil)
        #expect(router.match("chat/rooms/join/a/b") == nil)
        #expect(router.match("other/rooms/create") == nil)
    }

    @Test func subscriptionFiltersComeFromThePatterns() {
        let router = makeRouter()
        #expect(router.routes.map(\.pattern.filter) == [
            "chat/rooms/create", "chat/rooms/join/+", "chat/rooms/+/info", "chat/message/+", "chat/message/+/edit",
            "chat/admin/users/+/ban",
        ])
        #expect(router.routes.map(\.qos) == [2, 1, 1, 1, 1, 2])
    }

    @Test func aCallerRoutesLaneIsTheUserItIsAdmittedFor() throws {
        var router = Router()
        let handler: Route.Handler = { _ in Reply("ok") }
        router.group("chat") { chat in
            chat.on("sync", qos: 1, lane: .caller, handler)
            chat.on("history/{room_id}", qos: 1, lane: .parameter("room_id"), handler)
        }
        let sync = try #require(router.match("chat/sync"))
        #expect(sync.laneKey == RouteMatch.callerLanePlaceholder)
        #expect(sync.laneKey(admittedFor: "alice", classified: sync.laneKey) == "caller/alice")
        #expect(sync.laneKey(admittedFor: "bob", classified: sync.laneKey) != sync.laneKey(admittedFor: "alice", classified: sync.laneKey))
        let history = try #require(router.match("chat/history/r1"))
        #expect(history.laneKey(admittedFor: "alice", classified: history.laneKey) == "r1")
    }
}
