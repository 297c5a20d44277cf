/// Closeness of strings, for "did you mean" suggestions.
enum Suggest {
    /// Levenshtein distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }

    /// The candidate a mistyped value most likely meant. Digits count most ("4:3" means
    /// "landscape_4_3"), then shared words, then edit distance; nil when nothing is close.
    static func closest(to typed: String, among candidates: [String]) -> String? {
        func numbers(_ s: String) -> [String] { s.split(whereSeparator: { !$0.isNumber }).map(String.init) }
        func words(_ s: String) -> Set<String> { Set(s.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init)) }
        let typedNumbers = numbers(typed), typedWords = words(typed)
        // "4:3" never means "1:1": when both sides carry numbers, they must be the same numbers (in
        // either order: portrait_4_3 is 3:4).
        let comparable = candidates.filter {
            let n = numbers($0)
            return typedNumbers.isEmpty || n.isEmpty || n == typedNumbers || n == typedNumbers.reversed()
        }
        let scored = comparable.map { c -> (String, Int) in
            var score = distance(typed.lowercased(), c.lowercased())
            if !typedNumbers.isEmpty, numbers(c) == typedNumbers || numbers(c) == typedNumbers.reversed() { score -= 100 }
            score -= 10 * typedWords.intersection(words(c)).count
            // fal's size enums spell ratios as words: 4:3 is landscape_4_3, 3:4 portrait_4_3.
            if typedNumbers.count == 2, let w = Double(typedNumbers[0]), let h = Double(typedNumbers[1]) {
                let shape = w > h ? "landscape" : w < h ? "portrait" : "square"
                if c.lowercased().contains(shape) { score -= 5 }
            }
            return (c, score)
        }
        guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
        // An unrelated value is no suggestion: require shared digits, words, or a small edit.
        let plain = distance(typed.lowercased(), best.0.lowercased())
        return best.1 < 0 || plain <= max(2, typed.count / 3) ? best.0 : nil
    }
}
