import BenchCore
import Testing

struct ReadRouteTests {
    @Test func readsAreTheRoutesThatChangeNothing() {
        for read in ["chat/rooms/list", "chat/rooms/r1/info", "chat/history/r1", "chat/search/r1", "chat/file/get/f1", "chat/sync", "chat/search", "chat/users/blocked"] {
            #expect(ReadRoute.matches(topic: read), "\(read)")
        }
        for change in [
            "chat/rooms/create", "chat/rooms/join/info", "chat/rooms/leave/info", "chat/message/r1", "chat/read/r1",
            "chat/file/upload/r1", "chat/message/r1:3/react", "chat", "other/rooms/list", "chat/history/r1/x",
            "chat/users/block/u1", "chat/sync/x", "chat/rooms",
        ] {
            #expect(!ReadRoute.matches(topic: change), "\(change)")
        }
        #expect(!ReadRoute.matches(topic: nil))
    }
}
