using System.Text;

namespace AgentSilo.Tasks.Tests;

/// <summary>Schoolbook arithmetic on digit strings, written apart from the suites so the tests check them independently.</summary>
internal static class Reference
{
    /// <summary>Sum of two decimal strings, both least-significant digit first; the result is too.</summary>
    public static string AddLeastSignificantFirst(string a, string b)
    {
        var result = new StringBuilder();
        var carry = 0;
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var digit = carry + (i < a.Length ? a[i] - '0' : 0) + (i < b.Length ? b[i] - '0' : 0);
            result.Append((char)('0' + (digit % 10)));
            carry = digit / 10;
        }

        if (carry > 0)
        {
            result.Append((char)('0' + carry));
        }

        return StripHighZeros(result.ToString());
    }

    /// <summary>Product of a decimal string (least-significant digit first) and one digit; the result is too.</summary>
    public static string MultiplyLeastSignificantFirst(string a, int digit)
    {
        var result = new StringBuilder();
        var carry = 0;
        foreach (var c in a)
        {
            var value = ((c - '0') * digit) + carry;
            result.Append((char)('0' + (value % 10)));
            carry = value / 10;
        }

        if (carry > 0)
        {
            result.Append((char)('0' + carry));
        }

        return StripHighZeros(result.ToString());
    }

    public static string Reverse(string text) => new([.. text.Reverse()]);

    // "0" + "0" is "0", not "": keep one digit.
    private static string StripHighZeros(string leastSignificantFirst)
    {
        var end = leastSignificantFirst.Length;
        while (end > 1 && leastSignificantFirst[end - 1] == '0')
        {
            end--;
        }

        return leastSignificantFirst[..end];
    }
}
