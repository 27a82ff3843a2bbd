import type { NextFunction, Request, Response } from 'express';
import type { z } from 'zod';

type Part = 'query' | 'params' | 'body';

/**
 * One validation middleware for every route: the first schema issue becomes a
 * 400 {error, details}; the parsed value replaces the raw one in res.locals so
 * handlers only ever see typed, validated input.
 */
export function validate<S extends z.ZodType>(part: Part, schema: S) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const result = schema.safeParse(req[part]);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue && issue.path.length > 0 ? issue.path.join('.') : part;
      res.status(400).json({ error: `invalid ${part}: ${field}: ${issue?.message ?? 'invalid'}`, details: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
      return;
    }
    res.locals[part] = result.data;
    next();
  };
}

export function parsed<S extends z.ZodType>(res: Response, part: Part, _schema: S): z.infer<S> {
  return res.locals[part] as z.infer<S>;
}
