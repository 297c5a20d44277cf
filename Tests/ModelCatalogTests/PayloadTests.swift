import ModelCatalog
import Testing

/// The payload mistakes fal answers with a 422.
@Suite struct PayloadTests {
    let spec = model(MediaRequirement(), payload: [
        PayloadField(name: "prompt", type: .string, required: true),
        PayloadField(name: "duration", type: .string, enumValues: [.string("5"), .string("10")]),
        PayloadField(name: "num_frames", type: .integer, minimum: 81, maximum: 241),
        PayloadField(name: "guidance", type: .number, minimum: 0, maximum: 1),
        PayloadField(name: "image_size", type: .string, enumValues: ["square_hd", "landscape_4_3", "landscape_16_9", "portrait_4_3"].map(JSONValue.string)),
        PayloadField(name: "video_url", type: .string, required: true),
    ], complete: true)

    func violations(_ payload: [String: JSONValue]) throws -> [Violation] {
        let v = Checker().check(try clip(), models: [spec], payload: payload).verdicts[0]
        return v.violations + v.warnings
    }

    @Test func aNumberWhereAStringIsWanted() throws {
        let v = try violations(["prompt": "x", "duration": .integer(5)])
        #expect(v.map(\.rule) == ["payload.type"])
        #expect(v[0].message.contains("takes 'duration' as a string; you gave the integer 5"))
        #expect(v[0].remedy == "write it as a string: \"5\"")
    }

    @Test func aStringWhereANumberIsWanted() throws {
        let v = try violations(["prompt": "x", "num_frames": "121"])
        #expect(v.map(\.rule) == ["payload.type"])
        #expect(v[0].remedy.contains("121 without quotes"))
        #expect(try violations(["prompt": "x", "num_frames": .integer(121)]).isEmpty)
        #expect(try violations(["prompt": "x", "num_frames": .number(121.0)]).isEmpty)
        #expect(try violations(["prompt": "x", "num_frames": .number(121.5)]).map(\.rule) == ["payload.type"])
    }

    @Test func enumValuesWithTheClosestSuggested() throws {
        let v = try violations(["prompt": "x", "image_size": "4:3"])
        #expect(v.map(\.rule) == ["payload.enum"])
        #expect(v[0].message.hasSuffix("did you mean \"landscape_4_3\"?"))
        #expect(try violations(["prompt": "x", "image_size": "3:4"])[0].remedy == "use \"portrait_4_3\"")
        let typo = try violations(["prompt": "x", "image_size": "sqare_hd"])
        #expect(typo[0].remedy == "use \"square_hd\"")
        let unrelated = try violations(["prompt": "x", "duration": "7"])
        #expect(!unrelated[0].message.contains("did you mean"))
        #expect(try violations(["prompt": "x", "duration": "10"]).isEmpty)
    }

    @Test func rangesAtTheirBounds() throws {
        #expect(try violations(["prompt": "x", "num_frames": .integer(81)]).isEmpty)
        #expect(try violations(["prompt": "x", "num_frames": .integer(241)]).isEmpty)
        #expect(try violations(["prompt": "x", "num_frames": .integer(80)]).map(\.rule) == ["payload.range"])
        #expect(try violations(["prompt": "x", "num_frames": .integer(242)]).map(\.rule) == ["payload.range"])
        #expect(try violations(["prompt": "x", "guidance": .number(1.01)]).map(\.rule) == ["payload.range"])
    }

    @Test func requiredFieldsButNotTheMediaTheFileFills() throws {
        let v = try violations([:])
        #expect(v.map(\.rule) == ["payload.required"])
        #expect(v[0].field == "prompt")
    }

    @Test func unknownFieldsWarn() throws {
        let v = Checker().check(try clip(), models: [spec], payload: ["prompt": "x", "promt": "y", "colour": "red"]).verdicts[0]
        #expect(v.compliant)
        #expect(v.warnings.map(\.field) == ["colour", "promt"])
        #expect(v.warnings.first { $0.field == "promt" }?.message.contains("did you mean 'prompt'?") == true)
    }
}
