import Actors

extension MessageDraft {
    /// A draft from the request's sender, with the flag validation set.
    init(
        _ request: Request, content: String, kind: MessageKind, replyTo: String? = nil, inThread: Bool = false,
        file: FileInfo? = nil, targetId: String? = nil
    ) {
        self.init(
            senderId: request.user.userId, senderName: request.user.name, senderIsGlobalAdmin: request.user.isAdmin,
            content: content, kind: kind, replyTo: replyTo, inThread: inThread, flagged: request.flagged, file: file,
            targetId: targetId)
    }
}
