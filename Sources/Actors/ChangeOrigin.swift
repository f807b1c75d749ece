/// The request a journaled change was made for: the user and the key its reply is remembered under.
///
/// A change and its request's reply are two journal records. A process killed between the two leaves a
/// change nobody was told about, and the client (or the broker, redelivering) sends the request again.
/// The change's record carries its origin, so the restart knows the request was already applied and
/// answers the retry from the change instead of applying it a second time.
public struct ChangeOrigin: Sendable, Hashable {
    public var userId: String
    /// The reply cache's key: the request topic and its `request_id`, NUL-separated.
    public var requestKey: String

    public init(userId: String, requestKey: String) {
        self.userId = userId
        self.requestKey = requestKey
    }

    /// The request the current task is handling, when it has a `request_id`. Set by the request
    /// pipeline around the handler; read where changes are journaled, however many actor hops away.
    @TaskLocal public static var current: ChangeOrigin?
}
