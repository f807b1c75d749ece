/// The word list the profanity filter ships with; operators replace it through configuration.
public enum ProfanityList {
    public static let `default`: [String] = [
        "arse", "arsehole", "asshole", "bastard", "bitch", "bollocks", "bullshit", "crap", "damn", "dickhead",
        "fuck", "fucker", "fucking", "motherfucker", "piss", "prick", "shit", "shitty", "slut", "twat", "wanker",
    ]
}
