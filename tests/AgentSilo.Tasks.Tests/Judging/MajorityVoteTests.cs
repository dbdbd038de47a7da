using AgentSilo.Tasks.Judging;

namespace AgentSilo.Tasks.Tests.Judging;

public sealed class MajorityVoteTests
{
    [Fact]
    public void No_answers_give_no_vote() => Assert.Null(MajorityVote.Vote([]));

    [Fact]
    public void The_most_frequent_answer_wins()
    {
        var result = MajorityVote.Vote(["12", "13", "12", "14", "12", "13"]);

        Assert.Equal(new VoteResult("12", 3, 6), result);
        Assert.Equal(0.5, result!.Share);
    }

    [Fact]
    public void A_single_answer_wins_unanimously() =>
        Assert.Equal(new VoteResult("7", 1, 1), MajorityVote.Vote(["7"]));

    [Theory]
    [InlineData(new[] { "x", "y" }, "x")]
    [InlineData(new[] { "a", "b", "b", "a" }, "a")]
    [InlineData(new[] { "b", "a", "a", "b" }, "b")]
    [InlineData(new[] { "c", "b", "a", "a", "b" }, "b")]
    public void Ties_go_to_the_answer_seen_first(string[] answers, string expected) =>
        Assert.Equal(expected, MajorityVote.Vote(answers)!.Answer);

    [Fact]
    public void Answers_are_compared_ordinally_and_untrimmed() =>
        Assert.Equal(new VoteResult("a", 2, 5), MajorityVote.Vote(["A", "a", "a ", "a", "\u0061\u0301"]));

    [Fact]
    public void Share_of_an_empty_result_is_zero() => Assert.Equal(0, new VoteResult("", 0, 0).Share);

    [Fact]
    public void Null_arguments_throw()
    {
        Assert.Throws<ArgumentNullException>(() => MajorityVote.Vote(null!));
        Assert.Throws<ArgumentNullException>(() => MajorityVote.Vote(["1", null!]));
    }
}
