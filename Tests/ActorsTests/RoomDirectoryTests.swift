@testable import Actors
import Testing

struct RoomDirectoryTests {
    func info(_ id: String, _ type: RoomType, by creator: String) -> RoomInfo {
        RoomInfo(id: id, name: id, type: type, creatorId: creator, createdAt: 0)
    }

    @Test func countsCreatedRoomsAndUnansweredDirectRoomsPerUser() {
        let directory = RoomDirectory()
        directory.register(info("r1", .public, by: "alice"), answered: true)
        directory.register(info("r2", .private, by: "alice"), answered: true)
        directory.register(info("d1", .direct, by: "alice"), answered: false)
        directory.register(info("d2", .direct, by: "alice"), answered: false)
        directory.register(info("d3", .direct, by: "alice"), answered: true)
        #expect(directory.roomsCreated(by: "alice") == 2)
        #expect(directory.roomsCreated(by: "bob") == 0)
        #expect(directory.unansweredDirectRooms(openedBy: "alice") == 2)
        directory.markAnswered("d1")
        directory.markAnswered("d1")
        directory.markAnswered("d3")
        #expect(directory.unansweredDirectRooms(openedBy: "alice") == 1)
    }

    @Test func listsPublicRoomsInIdOrderAfterACursor() {
        let directory = RoomDirectory()
        for id in ["m", "c", "x", "a", "k"] { directory.register(info(id, .public, by: "alice"), answered: true) }
        directory.register(info("b", .private, by: "alice"), answered: true)
        #expect(directory.publicRoomIds(after: nil, count: 10) == ["a", "c", "k", "m", "x"])
        #expect(directory.publicRoomIds(after: "c", count: 2) == ["k", "m"])
        #expect(directory.publicRoomIds(after: "d", count: 10) == ["k", "m", "x"])
        #expect(directory.publicRoomIds(after: "x", count: 10).isEmpty)
        // Rooms registered after the first list keep the order.
        for id in ["d", "0", "z"] { directory.register(info(id, .public, by: "bob"), answered: true) }
        #expect(directory.publicRoomIds(after: nil, count: 10) == ["0", "a", "c", "d", "k", "m", "x", "z"])
    }
}
