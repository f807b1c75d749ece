import Actors
import Wire

/// Notifications for users who are not online: private messages and @mentions, on
/// `chat/user/{id}/notifications` where a push gateway can pick them up.
struct Notifier {
    let services: ChatServices

    /// Notifies `userId` of `message` unless they are online.
    func notifyIfAway(_ userId: String, kind: String, message: ChatMessage, now: Double) {
        guard services.presence.status(of: userId, now: now) != .online else { return }
        let payload = JSONValue.object([
            "type": .string(kind), "room_id": .string(message.roomId), "message": ChatJSON.message(message),
            "timestamp": .number(now),
        ]).serialized()
        services.notify(payload, to: userId, now: now)
    }

    /// Notifies members named as `@user_id` in a room message, except those who block its sender.
    func mentions(in message: ChatMessage, room: RoomActor, now: Double) async {
        let named = Self.mentionedUserIds(message.content).filter { $0 != message.senderId }
        guard !named.isEmpty else { return }
        let members = Set(await room.memberIds())
        // A user who blocks the sender hears nothing of their mentions (the message itself still reaches
        // every member: the room is shared).
        for userId in named where members.contains(userId) && !services.blocks.blocks(userId, message.senderId) {
            notifyIfAway(userId, kind: "mention", message: message, now: now)
        }
    }

    /// The distinct user ids written as `@id` in `content`, in order of appearance. An `@` inside a word
    /// (an e-mail address) is not a mention, and a trailing `.` ends the sentence, not the id.
    static func mentionedUserIds(_ content: String) -> [String] {
        // Most messages name nobody; walking their characters was most of what a message cost here.
        guard content.utf8.contains(UInt8(ascii: "@")) else { return [] }
        var found: [String] = []
        var current: String?
        var previous: Character = " "
        func flush() {
            if var name = current {
                while name.hasSuffix(".") { name.removeLast() }
                if isValidUserID(name), !found.contains(name) { found.append(name) }
            }
            current = nil
        }
        for character in content {
            let isIdCharacter = character.isASCII && (character.isLetter || character.isNumber || "_.-".contains(character))
            if character == "@" && !(previous.isLetter || previous.isNumber) {
                flush()
                current = ""
            } else if current != nil && isIdCharacter {
                current?.append(character)
            } else {
                flush()
            }
            previous = character
        }
        flush()
        return found
    }
}
