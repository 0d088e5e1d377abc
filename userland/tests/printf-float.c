/* Guest test: printf's floating-point conversions (%f %F %e %E %g %G %a %A and %L forms) on edge
 * values: zeros, denormals, DBL_MIN/DBL_MAX, infinities, NaNs, halfway rounding cases and
 * long double extremes. musl formats every double through long double, so this drives x87 too. */
#include <float.h>
#include <math.h>
#include <stdio.h>

static const char *const double_formats[] = {
	"%f", "%.0f", "%.1f", "%.3f", "%#.0f", "%+.2f", "% .4f", "%012.3f", "%-12.2f|", "%F",
	"%e", "%.0e", "%#.0e", "%.3e", "%+E", "%15.6e", "%-15.2e|",
	"%g", "%.0g", "%.1g", "%.3g", "%#g", "%#.3g", "%.17g", "%G", "%+g", "%12g",
	"%a", "%A", "%.0a", "%.3a", "%+a", "%20a",
};

static void print_double(const char *label, double value)
{
	printf("%s\n", label);
	for (size_t f = 0; f < sizeof double_formats / sizeof *double_formats; f++) {
		printf("  %-9s [", double_formats[f]);
		printf(double_formats[f], value);
		printf("]\n");
	}
}

static void double_edges(void)
{
	print_double("0", 0.0);
	print_double("-0", -0.0);
	print_double("1", 1.0);
	print_double("-1.5", -1.5);
	print_double("0.1", 0.1);
	print_double("1/3", 1.0 / 3.0);
	print_double("123456789.125", 123456789.125);
	print_double("1e21", 1e21);
	print_double("1e-5", 1e-5);
	print_double("0.0001", 0.0001);
	print_double("DBL_MIN", DBL_MIN);
	print_double("smallest denormal", 0x1p-1074);
	print_double("largest denormal", 0x0.fffffffffffffp-1022);
	print_double("DBL_EPSILON", DBL_EPSILON);
	print_double("inf", INFINITY);
	print_double("-inf", -INFINITY);
	print_double("nan", NAN);
	print_double("-nan", -NAN);
}

static void rounding_cases(void)
{
	/* Exactly representable halfway cases round to even; others follow the binary value. */
	static const double halves[] = {
		0.5, 1.5, 2.5, 3.5, -0.5, -2.5, 0.125, 0.375, 2.675, 1.005, 1e15 + 0.5, 9.5, 99.5,
		0.05, 0.15, 0.25, 0.35, 999999.5, 4503599627370495.5,
	};
	for (size_t k = 0; k < sizeof halves / sizeof *halves; k++) {
		double v = halves[k];
		printf("%.17g: %.0f %.1f %.2f %.0e %.1e %.1g %.2g\n", v, v, v, v, v, v, v, v);
	}
	printf("9.9999 -> %.3f %.3e %.4g\n", 9.9999, 9.9999, 9.9999);
	printf("0.9999995 -> %.6f %.5e %.6g\n", 0.9999995, 0.9999995, 0.9999995);
	printf("%.3f %.3f %.2e\n", 0.0005, 0.0015, 9.995e10);
}

static void long_doubles(void)
{
	static const char *const formats[] = { "%Lf", "%.3Le", "%Lg", "%.21Lg", "%La", "%.5LA" };
	static const struct {
		const char *label;
		long double value;
	} values[] = {
		{ "0.1L", 0.1L },
		{ "-0L", -0.0L },
		{ "1/3L", 1.0L / 3.0L },
		{ "LDBL_EPSILON", LDBL_EPSILON },
		{ "LDBL_MIN", LDBL_MIN },
		{ "smallest long double denormal", 0x1p-16445L },
		{ "2^64+1", 18446744073709551617.0L },
		{ "-inf", -INFINITY },
		{ "nan", NAN },
	};
	for (size_t v = 0; v < sizeof values / sizeof *values; v++) {
		printf("%s:", values[v].label);
		for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
			printf(" [");
			printf(formats[f], values[v].value);
			printf("]");
		}
		printf("\n");
	}
	printf("LDBL_MAX %%.10Le [%.10Le] %%La [%La]\n", LDBL_MAX, LDBL_MAX);
	printf("LDBL_MAX %%.0Lf [%.0Lf]\n", LDBL_MAX);
	printf("LDBL_MIN %%.40Le [%.40Le]\n", LDBL_MIN);
	printf("DBL_MAX %%.0f [%.0f]\n", DBL_MAX);
	char buffer[1200];
	int length = snprintf(buffer, sizeof buffer, "%.1100f", 0x1p-1074);
	printf("smallest denormal %%.1100f: length %d, ends %s\n", length, buffer + length - 40);
	printf("%.60f\n", 0x1p-60);
}

int main(void)
{
	double_edges();
	rounding_cases();
	long_doubles();
	return 0;
}
