import Actors

/// The route table of SPEC §5: topics, QoS (the seed's), ordering keys, middleware and handlers.
enum ChatRoutes {
    static func make(_ services: ChatServices) -> Router {
        let configuration = services.configuration
        let validation = ContentValidation(
            maxContentLength: configuration.maxContentLength, maxPayloadBytes: configuration.maxPayloadBytes,
            shorteners: configuration.shorteners)
        let profanity = ProfanityFilter(words: configuration.profanity)
        let rooms = RoomHandlers(services: services)
        let messages = MessageHandlers(services: services)

        var router = Router()
        router.group("chat", middleware: [validation]) { chat in
            chat.on("rooms/create", qos: 2, lane: .constant("rooms/create"), rooms.create)
            chat.on("rooms/join/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.join)
            chat.on("rooms/leave/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.leave)
            chat.on("rooms/invite/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.invite)
            chat.on("rooms/list", qos: 1, lane: .constant("rooms/list"), rooms.list)
            chat.on("rooms/{room_id}/info", qos: 1, lane: .parameter("room_id"), rooms.info)

            chat.group(middleware: [profanity]) { messaging in
                messaging.on("message/{room_id}", qos: 1, lane: .parameter("room_id"), messages.send)
            }
            chat.on("history/{room_id}", qos: 1, lane: .parameter("room_id"), messages.history)
        }
        return router
    }
}
