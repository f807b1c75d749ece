import Actors

/// The route table of SPEC §5: topics, QoS (the seed's), ordering keys, middleware and handlers.
enum ChatRoutes {
    static func make(_ services: ChatServices, files fileService: FileService) -> Router {
        let configuration = services.configuration
        let validation = ContentValidation(
            maxContentLength: configuration.maxContentLength, maxPayloadBytes: configuration.maxPayloadBytes,
            shorteners: configuration.shorteners)
        let profanity = ProfanityFilter(words: configuration.profanity)
        let presence = PresenceService(services: services)
        let typing = TypingService(services: services)
        let notifier = Notifier(services: services)
        let rooms = RoomHandlers(services: services)
        let messages = MessageHandlers(services: services, typing: typing, notifier: notifier)
        let actions = MessageActionHandlers(services: services, typing: typing, notifier: notifier)
        let direct = PrivateHandlers(services: services, notifier: notifier)
        let status = PresenceHandlers(services: services, presence: presence, typing: typing)
        let admin = AdminHandlers(services: services)
        let files = FileHandlers(services: services, files: fileService)
        let sync = SyncHandlers(services: services)
        let users = UserHandlers(services: services)
        let push = PushHandlers(services: services)
        // Uploads carry up to 1 MiB of base64 per message.
        let uploadValidation = ContentValidation(
            maxContentLength: configuration.maxContentLength, maxPayloadBytes: 2 * FileService.maxChunkBytes,
            shorteners: configuration.shorteners)

        var router = Router()
        router.group("chat", middleware: [validation]) { chat in
            chat.on("rooms/create", qos: 2, lane: .constant("rooms/create"), rooms.create, recover: RoomHandlers.recoverCreate)
            chat.on("rooms/join/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.join, recover: RoomHandlers.recoverJoin)
            chat.on("rooms/leave/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.leave, recover: RoomHandlers.recoverLeave)
            chat.on("rooms/invite/{room_id}", qos: 1, lane: .parameter("room_id"), rooms.invite, recover: RoomHandlers.recoverInvite)
            chat.on("rooms/list", qos: 1, lane: .constant("rooms/list"), readOnly: true, rooms.list)
            chat.on("rooms/{room_id}/info", qos: 1, lane: .parameter("room_id"), readOnly: true, rooms.info)

            chat.group(middleware: [profanity]) { messaging in
                messaging.on("message/{room_id}", qos: 1, lane: .parameter("room_id"), messages.send, recover: MessageHandlers.recoverSend)
                messaging.on("private/{user_id}", qos: 1, lane: .parameter("user_id"), direct.send, recover: PrivateHandlers.recover)
                messaging.on("broadcast", qos: 1, lane: .constant("broadcast"), middleware: [RequireGlobalAdmin()], messages.broadcast)
                messaging.on("message/{message_id}/edit", qos: 1, lane: .messageRoom("message_id"), actions.edit, recover: MessageActionHandlers.recoverEdit)
                messaging.on("message/{message_id}/reply", qos: 1, lane: .messageRoom("message_id"), actions.reply, recover: MessageActionHandlers.recoverReply)
            }
            chat.on("message/{message_id}/delete", qos: 1, lane: .messageRoom("message_id"), actions.delete, recover: MessageActionHandlers.recoverDelete)
            chat.on("message/{message_id}/react", qos: 0, lane: .messageRoom("message_id"), actions.react)

            // Ordered by the caller: a user's online→offline is never reordered (the request topic does not
            // name the user), and one user's presence never waits behind everyone else's.
            chat.on("presence/online", qos: 0, lane: .caller, status.status(.online))
            chat.on("presence/away", qos: 0, lane: .caller, status.status(.away))
            chat.on("presence/offline", qos: 0, lane: .caller, status.status(.offline))
            chat.on("typing/{room_id}/start", qos: 0, lane: .parameter("room_id"), status.startTyping)
            chat.on("typing/{room_id}/stop", qos: 0, lane: .parameter("room_id"), status.stopTyping)

            chat.on("history/{room_id}", qos: 1, lane: .parameter("room_id"), readOnly: true, messages.history)
            chat.on("search/{room_id}", qos: 1, lane: .parameter("room_id"), readOnly: true, messages.search)
            chat.on("read/{room_id}", qos: 1, lane: .parameter("room_id"), messages.read)
            chat.on("file/share/{room_id}", qos: 1, lane: .parameter("room_id"), middleware: [profanity], files.share, recover: FileHandlers.recoverShare)
            chat.on("file/get/{file_id}", qos: 1, lane: .bulk("file_id"), readOnly: true, files.get)

            chat.group("admin") { admins in
                admins.on("rooms/{room_id}/moderate", qos: 2, lane: .parameter("room_id"), admin.moderate, recover: AdminHandlers.recoverModerate)
                admins.on("users/{user_id}/mute", qos: 2, lane: .parameter("user_id"), admin.mute)
                admins.on("users/{user_id}/ban", qos: 2, lane: .parameter("user_id"), admin.ban)
                admins.on("messages/cleanup", qos: 1, lane: .constant("admin/cleanup"), middleware: [RequireGlobalAdmin()], admin.cleanup)
            }
        }
        router.group("chat", middleware: [uploadValidation]) { chat in
            chat.on("file/upload/{room_id}", qos: 2, lane: .bulk("room_id"), files.upload)
        }
        // New routes go last: a route's place in the table is its subscription identifier, and requests a
        // persistent session queued while an older version was down still carry the identifiers that
        // version gave (`ChatEngine.classify`). Inserted in the middle, they would shift the QoS 0 and 2
        // routes after them, and such queued requests would be dropped.
        router.group("chat", middleware: [validation]) { chat in
            // Ordered by the caller: a sync never waits in a room's lane nor behind everyone else's syncs,
            // and a blocker's block, unblock and list stay in the order sent (the topic names the blocked).
            chat.on("sync", qos: 1, lane: .caller, readOnly: true, sync.sync)
            chat.on("search", qos: 1, lane: .caller, readOnly: true, sync.search)
            chat.on("users/block/{user_id}", qos: 1, lane: .caller, users.block, recover: UserHandlers.recoverBlock)
            chat.on("users/blocked", qos: 1, lane: .caller, readOnly: true, users.blocked)
            // Ordered by the caller: one user's register and unregister of a device stay in the order sent.
            chat.on("push/register", qos: 1, lane: .caller, push.register)
            chat.on("push/unregister", qos: 1, lane: .caller, push.unregister)
        }
        return router
    }
}
