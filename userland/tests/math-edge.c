/* Guest test: <math.h> functions over edge inputs (±0, ±inf, NaN, denormals, huge and tiny
 * arguments), printed with %a and %.17g; also lrint/rint under each rounding mode, and a few long
 * double functions that musl implements with x87 instructions. */
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdio.h>

static const double inputs[] = {
	0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 3.0, 10.0, 0.1, -2.5, 1e-300, 0x1p-1074, 1e22, 1e300,
	DBL_MAX, -DBL_MAX, INFINITY, -INFINITY, NAN, 710.0, -745.5, 3.14159265358979323846,
	1.5707963267948966, 1e16, 2.5e-8,
};
#define INPUT_COUNT (sizeof inputs / sizeof *inputs)

static void print_value(double value)
{
	printf(" %a (%.17g)", value, value);
}

static void unary(const char *name, double (*function)(double))
{
	printf("%s\n", name);
	for (size_t k = 0; k < INPUT_COUNT; k++) {
		printf("  %s(%a) =", name, inputs[k]);
		print_value(function(inputs[k]));
		printf("\n");
	}
}

static const double pair_inputs[][2] = {
	{ 0.0, 0.0 }, { -0.0, 0.0 }, { 0.0, -0.0 }, { -0.0, -0.0 }, { 1.0, 0.0 }, { -1.0, -0.0 },
	{ 2.0, 10.0 }, { 2.0, -1074.0 }, { 2.0, 1024.0 }, { -2.0, 3.0 }, { -2.0, 0.5 }, { 10.0, 3.0 },
	{ -7.5, 2.0 }, { 7.5, -2.0 }, { 1e300, 1e-300 }, { 5e-324, 3.0 }, { INFINITY, 2.0 },
	{ 2.0, INFINITY }, { -INFINITY, -INFINITY }, { 1.0, NAN }, { NAN, 0.0 }, { 0.5, -INFINITY },
	{ -1.0, INFINITY }, { 3.0, 4.0 }, { 1e308, 1e308 },
};
#define PAIR_COUNT (sizeof pair_inputs / sizeof *pair_inputs)

static void binary(const char *name, double (*function)(double, double))
{
	printf("%s\n", name);
	for (size_t k = 0; k < PAIR_COUNT; k++) {
		printf("  %s(%a, %a) =", name, pair_inputs[k][0], pair_inputs[k][1]);
		print_value(function(pair_inputs[k][0], pair_inputs[k][1]));
		printf("\n");
	}
}

static void decompositions(void)
{
	for (size_t k = 0; k < INPUT_COUNT; k++) {
		int exponent = 0;
		double mantissa = frexp(inputs[k], &exponent);
		printf("frexp(%a) = %a, %d; ldexp back %a; ldexp(x, 60) %a; ldexp(x, -1080) %a\n",
		       inputs[k], mantissa, exponent, ldexp(mantissa, exponent), ldexp(inputs[k], 60),
		       ldexp(inputs[k], -1080));
	}
}

static void rounding_modes(void)
{
	static const int modes[] = { FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO };
	static const char *const names[] = { "nearest", "down", "up", "toward zero" };
	static const double values[] = { 2.5, 3.5, -2.5, -0.5, 0.4999999999999999, 1e15 + 0.25,
					 -1.75 };
	for (int m = 0; m < 4; m++) {
		fesetround(modes[m]);
		printf("%-12s", names[m]);
		for (size_t k = 0; k < sizeof values / sizeof *values; k++)
			printf(" rint(%a)=%g lrint=%ld", values[k], rint(values[k]), lrint(values[k]));
		volatile double third = 1.0, three = 3.0;
		volatile long double third_long = 1.0L, three_long = 3.0L;
		printf(" 1/3=%a sqrt(2)=%a 1/3L=%La\n", third / three, sqrt(2.0),
		       third_long / three_long);
	}
	fesetround(FE_TONEAREST);
	printf("rounding mode restored: %d\n", fegetround() == FE_TONEAREST);
	feclearexcept(FE_ALL_EXCEPT);
	volatile double zero = 0.0, one = 1.0, huge = DBL_MAX;
	volatile double results[3] = { one / zero, huge * huge, zero / zero };
	(void)results;
	printf("exceptions: divbyzero %d overflow %d invalid %d\n", !!fetestexcept(FE_DIVBYZERO),
	       !!fetestexcept(FE_OVERFLOW), !!fetestexcept(FE_INVALID));
}

static void long_doubles(void)
{
	static const long double values[] = { 0.0L, 2.0L, -1.0L, 1e-4000L, 1e4000L, INFINITY, 0.75L };
	for (size_t k = 0; k < sizeof values / sizeof *values; k++) {
		long double x = values[k];
		printf("x=%La sqrtl %La fmodl(x,0.3) %La expl %La logl %La sinl %La atan2l(x,-1) %La\n",
		       x, sqrtl(x), fmodl(x, 0.3L), expl(x), logl(x), sinl(x), atan2l(x, -1.0L));
	}
}

int main(void)
{
	unary("sin", sin);
	unary("cos", cos);
	unary("tan", tan);
	unary("exp", exp);
	unary("log", log);
	unary("sqrt", sqrt);
	unary("floor", floor);
	unary("ceil", ceil);
	unary("round", round);
	unary("trunc", trunc);
	unary("cbrt", cbrt);
	unary("expm1", expm1);
	unary("log1p", log1p);
	binary("pow", pow);
	binary("fmod", fmod);
	binary("atan2", atan2);
	binary("hypot", hypot);
	decompositions();
	for (size_t k = 0; k < INPUT_COUNT; k++)
		if (fabs(inputs[k]) < 1e18) printf("lrint(%a) = %ld\n", inputs[k], lrint(inputs[k]));
	rounding_modes();
	long_doubles();
	return 0;
}
