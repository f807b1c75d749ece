/// How publishes to one topic are joined while an earlier one to that topic awaits its acknowledgement.
///
/// A topic with coalescing has at most one publish in flight. What is published to it meanwhile waits,
/// and leaves joined into one publish when the acknowledgement comes. An idle broker acknowledges within
/// a fraction of a millisecond, so nothing waits longer than that; a busy one acknowledges later and gets
/// fewer, larger publishes, so its work per message shrinks as its load grows. Order is kept: the joined
/// payloads are in publish order, after everything published to the topic before them.
public struct MQTTCoalescing: Sendable {
    /// Joins two or more payloads, oldest first, into one.
    public var join: @Sendable ([[UInt8]]) -> [UInt8]
    /// The most bytes of payloads joined into one publish; a payload larger than this leaves alone.
    public var maxBytes: Int

    public init(maxBytes: Int, join: @escaping @Sendable ([[UInt8]]) -> [UInt8]) {
        self.join = join
        self.maxBytes = maxBytes
    }
}

/// The publishes of coalescing topics that wait for an acknowledgement (part of `MQTTClient.State`).
struct CoalescingTopics {
    /// Topics with a publish queued or in flight, each with the payloads waiting behind it.
    private(set) var waiting: [String: [OutgoingPublish]] = [:]
    /// The topic of each coalescing publish libmosquitto holds, by message id.
    private var inFlight: [Int32: String] = [:]

    /// Whether `publish` waits (its topic is busy); if not, the topic is busy from now on.
    mutating func holds(_ publish: OutgoingPublish) -> Bool {
        if waiting[publish.topic] != nil {
            waiting[publish.topic]!.append(publish)
            return true
        }
        waiting[publish.topic] = []
        return false
    }

    /// Notes the message id libmosquitto gave a coalescing publish.
    mutating func sent(_ topic: String, mid: Int32) {
        inFlight[mid] = topic
    }

    /// The acknowledgement of `mid`: the joined publish to send next on its topic, if any waited; the topic
    /// stays busy until that one is acknowledged too.
    mutating func acknowledged(mid: Int32) -> OutgoingPublish? {
        guard let topic = inFlight.removeValue(forKey: mid) else { return nil }
        return release(topic)
    }

    /// A coalescing publish that could not be sent: the next one goes instead.
    mutating func failed(_ topic: String) -> OutgoingPublish? {
        release(topic)
    }

    /// After a reconnect every topic is free: libmosquitto sends again what it held, ahead of anything new,
    /// so order holds, and an acknowledgement lost with a broker's session cannot stall a topic.
    mutating func reset() -> [OutgoingPublish] {
        inFlight.removeAll()
        var next: [OutgoingPublish] = []
        for topic in Array(waiting.keys) {
            while let joined = release(topic) { next.append(joined) }
        }
        waiting.removeAll()
        return next
    }

    var isEmpty: Bool { waiting.values.allSatisfy(\.isEmpty) }

    private mutating func release(_ topic: String) -> OutgoingPublish? {
        guard var queue = waiting[topic], let first = queue.first, let coalescing = first.coalescing else {
            waiting[topic] = nil
            return nil
        }
        var bytes = first.payload.count
        var count = 1
        while count < queue.count && bytes + queue[count].payload.count <= coalescing.maxBytes {
            bytes += queue[count].payload.count
            count += 1
        }
        var joined = first
        if count > 1 { joined.payload = coalescing.join(queue.prefix(count).map(\.payload)) }
        queue.removeFirst(count)
        waiting[topic] = queue
        return joined
    }
}
